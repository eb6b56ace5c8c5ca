package scan

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZDump(t *testing.T) {
	dir, out := os.Getenv("DUMP_DIR"), os.Getenv("DUMP_OUT")
	if dir == "" {
		t.Skip()
	}
	sites, errs, err := Files(context.Background(), []string{dir}, 2)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range sites {
		s := sites[i]
		from := ""
		if s.DerivedFrom != nil {
			from = s.DerivedFrom.Position()
		}
		s.DerivedFrom = nil
		tag, dig, as := s.Edit.Tag, s.Edit.Digest, s.Edit.AttrSet
		s.Edit.Tag, s.Edit.Digest, s.Edit.AttrSet = nil, nil, nil
		fmt.Fprintf(&b, "%+v from=%s", s, from)
		s.Edit.Tag, s.Edit.Digest, s.Edit.AttrSet = tag, dig, as
		if s.Edit.Tag != nil {
			fmt.Fprintf(&b, " tag=%+v", *s.Edit.Tag)
		}
		if s.Edit.Digest != nil {
			fmt.Fprintf(&b, " digest=%+v", *s.Edit.Digest)
		}
		if s.Edit.AttrSet != nil {
			fmt.Fprintf(&b, " as=%+v", *s.Edit.AttrSet)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "errs=%d\n", len(errs))
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
