package action

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/datamodel"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/validation"
)

// Node is one child of a node in a device's parameter tree, as GenieACS
// holds it (only what a provision or task fetched).
type Node struct {
	Path   string `json:"path"`
	Name   string `json:"name"`
	Object bool   `json:"object"`
	// Value is a parameter's value as text; nil for objects, for values
	// GenieACS has not fetched, and for secrets.
	Value *string `json:"value,omitempty"`
	// Secret: a password or key, never shown; Set says whether the device
	// holds one.
	Secret    bool       `json:"secret,omitempty"`
	Set       *bool      `json:"set,omitempty"`
	Type      string     `json:"type,omitempty"`
	Writable  *bool      `json:"writable,omitempty"`
	Timestamp *time.Time `json:"timestamp,omitempty"`
}

// Tree is one level of a device's parameter tree.
type Tree struct {
	DeviceID uuid.UUID `json:"deviceId"`
	// Path is the node listed (the root when none was asked).
	Path  string `json:"path"`
	Nodes []Node `json:"nodes"`
}

// treePathRE is a concrete parameter path: no wildcards, aliases or query
// syntax reach GenieACS.
var treePathRE = regexp.MustCompile(`^(InternetGatewayDevice|Device)(\.[A-Za-z0-9_-]+)*$`)

// Tree lists the children of path in the device's tree as GenieACS holds
// it ("" is the device's root). Any staff member may read it.
func (s *Service) Tree(ctx context.Context, a actor.Actor, deviceID uuid.UUID, path string) (Tree, error) {
	path = strings.TrimSuffix(strings.TrimSpace(path), ".")
	if path != "" && !treePathRE.MatchString(path) {
		return Tree{}, validation.Errors{"path": "must be a parameter path such as InternetGatewayDevice.LANDevice.1 (no wildcards)"}
	}
	var asked string
	dev, doc, err := s.document(ctx, a, deviceID, func(root string) []string {
		asked = root
		if path != "" {
			asked = path
		}
		return []string{asked}
	})
	if err != nil {
		return Tree{}, err
	}
	out := Tree{DeviceID: dev.id, Path: path, Nodes: []Node{}}
	if doc == nil {
		return out, nil
	}
	if path != "" && path != dev.root() && !strings.HasPrefix(path, dev.root()+".") {
		return Tree{}, validation.Errors{"path": "must be under " + dev.root() + ", this device's data model"}
	}
	out.Path, out.Nodes = asked, children(doc, asked)
	return out, nil
}

// children are the nodes one level under parent, in instance order.
func children(doc *genieacs.Device, parent string) []Node {
	seen := map[string]bool{}
	var nodes []Node
	prefix := parent + "."
	for p := range doc.Params {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		name, deeper, _ := strings.Cut(rest, ".")
		child := prefix + name
		if seen[child] {
			continue
		}
		seen[child] = true
		n := Node{Path: child, Name: name, Object: deeper != ""}
		if v, ok := doc.Params[child]; ok {
			n.Object = n.Object || v.Object
			n.Writable = v.Writable
			if !v.Timestamp.IsZero() {
				ts := v.Timestamp
				n.Timestamp = &ts
			}
			if !n.Object {
				n.Type = v.Type
				switch {
				case isSecretPath(child):
					set := v.Value != nil && canonical(v.Value) != ""
					n.Secret, n.Set = true, &set
				case v.Value != nil:
					text := canonical(v.Value)
					n.Value = &text
				}
			}
		}
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b Node) int { return datamodel.ComparePaths(a.Path, b.Path) })
	return nodes
}

// RefreshTree has GenieACS read a subtree from the device again (a
// refreshObject task, followed like any other): what the tree shows of it
// is then fresh. Technicians, owners and admins.
func (s *Service) RefreshTree(ctx context.Context, a actor.Actor, deviceID uuid.UUID, path string) (Task, error) {
	path = strings.TrimSuffix(strings.TrimSpace(path), ".")
	if !treePathRE.MatchString(path) {
		return Task{}, validation.Errors{"path": "must be a parameter path such as InternetGatewayDevice.LANDevice.1 (no wildcards)"}
	}
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if path != dev.root() && !strings.HasPrefix(path, dev.root()+".") {
			return newTask{}, validation.Errors{"path": "must be under " + dev.root() + ", this device's data model"}
		}
		return newTask{kind: KindRefresh, summary: "refresh " + path, req: request{Object: path}}, nil
	})
}
