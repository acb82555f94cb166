package api

// The JSON bodies the handlers decode that no service package owns
// (named, so the OpenAPI document describes them).
type (
	// RefreshInput is POST /cpe/devices/:id/refresh: a subtree to read
	// (refreshObject); none reads the health values.
	RefreshInput struct {
		Path *string `json:"path"`
	}
	// ObjectInput is POST /cpe/devices/:id/objects: a table to add an
	// instance to, or an instance to delete (one of them).
	ObjectInput struct {
		Add    string `json:"add"`
		Delete string `json:"delete"`
	}
	// PONPortInput is PUT /cpe/devices/:id/pon-port ("" clears it).
	PONPortInput struct {
		PONPort *string `json:"ponPort"`
	}
	// OrganizationInput is PUT /cpe/organization: what is sent changes.
	OrganizationInput struct {
		TimeZone           *string  `json:"timeZone"`
		OpticalWeakDBm     *float64 `json:"opticalWeakDbm"`
		OpticalCriticalDBm *float64 `json:"opticalCriticalDbm"`
		OpticalOverloadDBm *float64 `json:"opticalOverloadDbm"`
	}
	// ProvisionInput is PUT /cpe/provisions/:name.
	ProvisionInput struct {
		Script string `json:"script"`
	}
	// RevertInput is POST /cpe/provisions/:name/revert.
	RevertInput struct {
		Version int `json:"version"`
	}
	// TryInput is POST /cpe/provisions/:name/try.
	TryInput struct {
		DeviceID string `json:"deviceId"`
	}
)
