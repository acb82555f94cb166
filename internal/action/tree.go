package action

import (
	"context"
	"errors"
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
	// Path is the node listed (the root when none was asked); Query the
	// search, when the nodes are a search's matches.
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	Nodes []Node `json:"nodes"`
	// More: a search matched more than the nodes listed.
	More bool `json:"more,omitempty"`
	// Self is the listed node itself, when GenieACS holds it (a table's
	// writable flag says whether instances may be added).
	Self *Node `json:"self,omitempty"`
}

// searchLimit is how many matches a tree search lists.
const searchLimit = 100

// SearchTree finds the values GenieACS holds for the device whose path
// or value holds q (any case); a secret matches by its path only.
func (s *Service) SearchTree(ctx context.Context, a actor.Actor, deviceID uuid.UUID, q string) (Tree, error) {
	q = strings.TrimSpace(q)
	var root string
	dev, doc, err := s.document(ctx, a, deviceID, func(dev target) ([]string, error) {
		switch {
		case q == "":
			return nil, validation.Errors{"q": "is required"}
		case len(q) > 100:
			return nil, validation.Errors{"q": "must be at most 100 characters"}
		}
		root = dev.root()
		return []string{root}, nil
	})
	if err != nil {
		return Tree{}, err
	}
	out := Tree{DeviceID: dev.id, Path: root, Query: q, Nodes: []Node{}}
	if doc == nil {
		return out, nil
	}
	lq := strings.ToLower(q)
	var paths []string
	for p, v := range doc.Params {
		if v.Object || (!strings.Contains(strings.ToLower(p), lq) &&
			(isSecretPath(p) || v.Value == nil || !strings.Contains(strings.ToLower(canonical(v.Value)), lq))) {
			continue
		}
		paths = append(paths, p)
	}
	slices.SortFunc(paths, datamodel.ComparePaths)
	if len(paths) > searchLimit {
		paths, out.More = paths[:searchLimit], true
	}
	for _, p := range paths {
		out.Nodes = append(out.Nodes, node(doc, p, p))
	}
	return out, nil
}

// treePathRE is a concrete parameter path: no wildcards, aliases or query
// syntax reach GenieACS.
var treePathRE = regexp.MustCompile(`^(InternetGatewayDevice|Device)(\.[A-Za-z0-9_-]+)*$`)

// Tree lists the children of path in the device's tree as GenieACS holds
// it ("" is the device's root). Any staff member may read it.
func (s *Service) Tree(ctx context.Context, a actor.Actor, deviceID uuid.UUID, path string) (Tree, error) {
	path = strings.TrimSuffix(strings.TrimSpace(path), ".")
	asked := path
	dev, doc, err := s.document(ctx, a, deviceID, func(dev target) ([]string, error) {
		switch {
		case path == "":
			asked = dev.root()
		case !treePathRE.MatchString(path):
			return nil, validation.Errors{"path": "must be a parameter path such as InternetGatewayDevice.LANDevice.1 (no wildcards)"}
		case dev.genieID != "" && path != dev.root() && !strings.HasPrefix(path, dev.root()+"."):
			return nil, validation.Errors{"path": "must be under " + dev.root() + ", this device's data model"}
		}
		return []string{asked}, nil
	})
	if err != nil {
		return Tree{}, err
	}
	out := Tree{DeviceID: dev.id, Path: path, Nodes: []Node{}}
	if doc == nil {
		return out, nil
	}
	out.Path, out.Nodes = asked, children(doc, asked)
	if _, ok := doc.Params[asked]; ok {
		self := node(doc, asked, asked[strings.LastIndex(asked, ".")+1:])
		out.Self = &self
	}
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
		n := node(doc, child, name)
		n.Object = n.Object || deeper != ""
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
	return s.start(ctx, a, deviceID, actor.PermDeviceAction, func(dev target) (newTask, error) {
		if !treePathRE.MatchString(path) {
			return newTask{}, validation.Errors{"path": "must be a parameter path such as InternetGatewayDevice.LANDevice.1 (no wildcards)"}
		}
		if path != dev.root() && !strings.HasPrefix(path, dev.root()+".") {
			return newTask{}, validation.Errors{"path": "must be under " + dev.root() + ", this device's data model"}
		}
		return newTask{kind: KindRefresh, summary: "refresh " + path, req: request{Object: path}}, nil
	})
}

// node is path as GenieACS holds it, named name.
func node(doc *genieacs.Device, path, name string) Node {
	n := Node{Path: path, Name: name}
	v, ok := doc.Params[path]
	if !ok {
		return n
	}
	n.Object, n.Writable = v.Object, v.Writable
	if !v.Timestamp.IsZero() {
		ts := v.Timestamp
		n.Timestamp = &ts
	}
	if n.Object {
		return n
	}
	n.Type = v.Type
	switch {
	case isSecretPath(path):
		set := v.Value != nil && canonical(v.Value) != ""
		n.Secret, n.Set = true, &set
	case v.Value != nil:
		text := canonical(v.Value)
		n.Value = &text
	}
	return n
}

// instanceRE ends in an instance number; a table's path does not.
var instanceRE = regexp.MustCompile(`\.[0-9]+$`)

// AddInstance adds an instance to a table of the device (an addObject task;
// owners and admins): GenieACS then knows the instance, and reads its
// values when asked (refresh the table).
func (s *Service) AddInstance(ctx context.Context, a actor.Actor, deviceID uuid.UUID, table string) (Task, error) {
	table = strings.TrimSuffix(strings.TrimSpace(table), ".")
	var bad error
	if !treePathRE.MatchString(table) || instanceRE.MatchString(table) || !strings.Contains(table, ".") {
		bad = validation.Errors{"path": "must be a table's path such as InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice"}
	}
	return s.instanceTask(ctx, a, deviceID, table, bad, "add an instance to "+table, request{AddObject: table})
}

// DeleteInstance deletes one instance of a table (a deleteObject task;
// owners and admins).
func (s *Service) DeleteInstance(ctx context.Context, a actor.Actor, deviceID uuid.UUID, instance string) (Task, error) {
	instance = strings.TrimSuffix(strings.TrimSpace(instance), ".")
	var bad error
	if !treePathRE.MatchString(instance) || !instanceRE.MatchString(instance) {
		bad = validation.Errors{"path": "must be an instance's path such as InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.AssociatedDevice.2"}
	}
	return s.instanceTask(ctx, a, deviceID, instance, bad, "delete "+instance, request{DeleteObject: instance})
}

// instanceTask checks path (bad: its shape was wrong) against what
// GenieACS holds (under the device's root; an object not marked
// read-only) and records the task. The device is looked up first, so
// another organization's is not found whatever the path.
func (s *Service) instanceTask(ctx context.Context, a actor.Actor, deviceID uuid.UUID, path string, bad error, summary string, req request) (Task, error) {
	return s.start(ctx, a, deviceID, actor.PermAdvancedConfig, func(dev target) (newTask, error) {
		if bad != nil {
			return newTask{}, bad
		}
		if !strings.HasPrefix(path, dev.root()+".") {
			return newTask{}, validation.Errors{"path": "must be under " + dev.root() + ", this device's data model"}
		}
		if dev.genieID != "" {
			doc, err := s.acs.GetDevice(ctx, dev.genieID, []string{path})
			if err != nil && !errors.Is(err, genieacs.ErrDeviceNotFound) {
				return newTask{}, err
			}
			if doc != nil {
				if p, ok := doc.Params[path]; ok && (!p.Object || (p.Writable != nil && !*p.Writable)) {
					return newTask{}, validation.Errors{"path": path + " is not an object the device lets you add to or delete"}
				}
			}
		}
		return newTask{kind: KindParameters, summary: summary, req: req}, nil
	})
}
