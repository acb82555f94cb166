package subscriber

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/fyberpay/cpe/internal/validation"
)

// Field limits.
const (
	maxUsername      = 64
	maxName          = 100
	maxPhone         = 32
	maxPPPoEUsername = 64
	maxPPPoEPassword = 128
	maxPlanName      = 100
)

var (
	// printableRE is printable ASCII without spaces: what a device tag
	// (after TagSafe) and a PPPoE login can carry unambiguously.
	printableRE = regexp.MustCompile(`^[\x21-\x7e]*$`)
	groupRE     = regexp.MustCompile(`^[A-Za-z0-9_:-]{1,64}$`)
	phoneRE     = regexp.MustCompile(`^[0-9+ -]*[0-9][0-9+ -]*$`)
)

// validate checks in and returns it normalised (trimmed). It cannot see the
// stored row: Update checks what depends on it (a kept password still needs
// a PPPoE username).
func (in Input) validate() (Input, error) {
	errs := validation.Errors{}
	in.Username = strings.TrimSpace(in.Username)
	switch {
	case in.Username == "":
		errs.Add("username", "is required")
	case len(in.Username) > maxUsername:
		errs.Add("username", fmt.Sprintf("must be at most %d characters", maxUsername))
	case !printableRE.MatchString(in.Username):
		errs.Add("username", "must be printable ASCII without spaces, such as alice.w or 100234")
	}
	in.Name = validation.Text(errs, "name", in.Name, 0, maxName)
	in.Phone = strings.TrimSpace(in.Phone)
	switch {
	case len(in.Phone) > maxPhone:
		errs.Add("phone", fmt.Sprintf("must be at most %d characters", maxPhone))
	case in.Phone != "" && !phoneRE.MatchString(in.Phone):
		errs.Add("phone", "may hold only digits, +, spaces and -")
	}
	in.PPPoEUsername = strings.TrimSpace(in.PPPoEUsername)
	switch {
	case len(in.PPPoEUsername) > maxPPPoEUsername:
		errs.Add("pppoeUsername", fmt.Sprintf("must be at most %d characters", maxPPPoEUsername))
	case !printableRE.MatchString(in.PPPoEUsername):
		errs.Add("pppoeUsername", "must be printable ASCII without spaces")
	}
	// The password is taken as typed (spaces count); messages never echo it.
	switch {
	case in.PPPoEPassword == "":
	case in.ClearPPPoEPassword:
		errs.Add("pppoePassword", "leave empty when removing the password")
	case len([]rune(in.PPPoEPassword)) > maxPPPoEPassword:
		errs.Add("pppoePassword", fmt.Sprintf("must be at most %d characters", maxPPPoEPassword))
	case strings.ContainsFunc(in.PPPoEPassword, unicode.IsControl):
		errs.Add("pppoePassword", "must not contain control characters")
	}
	if in.PPPoEPassword != "" && in.PPPoEUsername == "" {
		errs.Add("pppoeUsername", errNeedPPPoEUsername)
	}
	return in, errs.Err()
}

const errNeedPPPoEUsername = "is required when a PPPoE password is set"

func (in PlanInput) validate() (PlanInput, error) {
	errs := validation.Errors{}
	in.Name = validation.Text(errs, "name", in.Name, 1, maxPlanName)
	in.Group = strings.TrimSpace(in.Group)
	switch {
	case in.Group == "":
		errs.Add("genieacsGroup", "is required")
	case !groupRE.MatchString(in.Group):
		errs.Add("genieacsGroup", "must be 1–64 letters, digits, _, : or - (it becomes the plan:<group> device tag)")
	}
	return in, errs.Err()
}

// validStatus reports whether s is a subscriber status.
func validStatus(s string) bool { return s == StatusActive || s == StatusSuspended }

// CheckLine checks a device's own PPPoE login (plans with several devices
// per subscriber) with a subscription's rules; both parts are required. It
// returns the username trimmed.
func CheckLine(errs validation.Errors, username, password string) string {
	username = strings.TrimSpace(username)
	switch {
	case username == "":
		errs.Add("pppoeUsername", "is required")
	case len(username) > maxPPPoEUsername:
		errs.Add("pppoeUsername", fmt.Sprintf("must be at most %d characters", maxPPPoEUsername))
	case !printableRE.MatchString(username):
		errs.Add("pppoeUsername", "must be printable ASCII without spaces")
	}
	switch {
	case password == "":
		errs.Add("pppoePassword", "is required")
	case len([]rune(password)) > maxPPPoEPassword:
		errs.Add("pppoePassword", fmt.Sprintf("must be at most %d characters", maxPPPoEPassword))
	case strings.ContainsFunc(password, unicode.IsControl):
		errs.Add("pppoePassword", "must not contain control characters")
	}
	return username
}
