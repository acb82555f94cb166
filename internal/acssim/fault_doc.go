package acssim

import (
	"errors"
	"fmt"
)

// PutFaultDocument stores doc (a JSON object) as-is in the faults
// collection, as a direct MongoDB write, a GenieACS bug or a later GenieACS
// version could: fields may be missing or of the wrong type. A document with
// a string _id replaces the fault of that id. It lets tests check that
// consumers of GET /faults/ tolerate what GenieACS itself never writes.
func (s *Sim) PutFaultDocument(doc string) error {
	v, err := parseJSON([]byte(doc))
	if err != nil {
		return err
	}
	o, ok := v.(*object)
	if !ok {
		return errors.New("acssim: a fault document must be a JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &fault{raw: o}
	f.id, f.device = o.str("_id"), o.str("device")
	if f.id == "" {
		f.id = fmt.Sprintf("\x00raw-%p", f) // a key no real id can take
	}
	if old := s.faults.byID[f.id]; old != nil {
		*old = *f
		return nil
	}
	s.faults.list = append(s.faults.list, f)
	s.faults.byID[f.id] = f
	return nil
}
