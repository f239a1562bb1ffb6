// Package workflow holds the complaint states, the transitions between them,
// who may do each, and the deadline classes.
package workflow

import (
	"fmt"
	"strings"
)

// Class is a complaint's deadline class, chosen by the verifikator. It fixes
// how many working days the office has to finish the complaint.
type Class string

// The deadline classes of the office's procedure.
const (
	// ClassA: neglect of an obligation; 5 working days.
	ClassA Class = "A"
	// ClassB: no supervision content and no field inspection; 14 working days.
	ClassB Class = "B"
	// ClassC: supervision content and a field inspection; 60 working days.
	ClassC Class = "C"
)

// Classes lists the deadline classes in order.
func Classes() []Class { return []Class{ClassA, ClassB, ClassC} }

// ParseClass reads a class letter, in either case.
func ParseClass(s string) (Class, error) {
	c := Class(strings.ToUpper(strings.TrimSpace(s)))
	switch c {
	case ClassA, ClassB, ClassC:
		return c, nil
	}
	return "", fmt.Errorf("unknown deadline class %q: valid are A, B and C", s)
}

// WorkingDays is the class's deadline in working days; 0 for an unknown class.
func (c Class) WorkingDays() int {
	switch c {
	case ClassA:
		return 5
	case ClassB:
		return 14
	case ClassC:
		return 60
	}
	return 0
}

// Label says in plain Indonesian what kind of complaint the class is for, as
// officers and reporters read it.
func (c Class) Label() string {
	switch c {
	case ClassA:
		return "kelalaian kewajiban"
	case ClassB:
		return "tidak memerlukan pengawasan maupun pemeriksaan lapangan"
	case ClassC:
		return "memerlukan pengawasan dan pemeriksaan lapangan"
	}
	return ""
}
