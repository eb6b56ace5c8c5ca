package diag

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	base := errors.New("x")
	for _, tc := range []struct {
		err  error
		want Kind
	}{
		{base, Outside},
		{AsBadInput(base), BadInput},
		{fmt.Errorf("wrapped: %w", AsBadInput(base)), BadInput},
		{AsOutside(AsBadInput(base)), Outside},
		{&Error{File: "a", Line: 1, Msg: "m"}, BadInput},
		{fmt.Errorf("loading: %w", List{{Msg: "m"}}), BadInput},
	} {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if AsBadInput(nil) != nil || AsOutside(nil) != nil {
		t.Error("a nil error must stay nil")
	}
	if !errors.Is(AsBadInput(base), base) {
		t.Error("the mark must keep the cause matchable")
	}
}
