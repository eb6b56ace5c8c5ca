package rewrite

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// sitesModule is a module of about size bytes with one image string per
// line, and the edits that pin every one of them.
func sitesModule(size int) ([]byte, []Edit) {
	var b strings.Builder
	var edits []Edit
	b.WriteString("{\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  a%d.image = \"ghcr.io/x/a%d:1.0\";\n", i, i%50)
		end := b.Len() - len("\";\n")
		edits = append(edits, Edit{Start: end, End: end, New: "@sha256:" + strings.Repeat("a", 64)})
	}
	b.WriteString("}\n")
	return []byte(b.String()), edits
}

// TestApplyCopiesOnce: Apply builds the new text in one allocation however
// many edits there are. Splicing each edit into a fresh copy of the file
// made a file with n sites cost n allocations of its size (4 s at 1 MB,
// 231 s at 8 MB).
func TestApplyCopiesOnce(t *testing.T) {
	src, edits := sitesModule(64 << 10)
	if len(edits) < 1000 {
		t.Fatalf("only %d edits", len(edits))
	}
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := Apply(src, edits); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 4 {
		t.Errorf("Apply with %d edits made %.0f allocations, want at most 4", len(edits), allocs)
	}
}

// TestOffsetsMatchesEveryEdit: Map gives, for every offset of a text, what
// adding up each edit before it gives.
func TestOffsetsMatchesEveryEdit(t *testing.T) {
	edits := []Edit{{Start: 2, End: 4, New: "abcd"}, {Start: 4, End: 4, New: "+"}, {Start: 4, End: 6, New: ""}, {Start: 10, End: 10, New: "x"}, {Start: 12, End: 15, New: "y"}}
	o := NewOffsets(edits)
	for off := 0; off <= 20; off++ {
		want := off
		for _, e := range edits {
			if e.End <= off && !(e.Start == e.End && e.Start == off) {
				want += len(e.New) - (e.End - e.Start)
			}
		}
		if got := o.Map(off); got != want {
			t.Errorf("Map(%d) = %d, want %d", off, got, want)
		}
	}
}

// BenchmarkRewriteScaling rewrites a module of 1 MB and one of 8 MB, every
// site pinned (Apply, the parse of the result, and mapping each site's
// offset into it, as plan.Make does), and reports the time per site of
// each and their ratio. Linear work keeps the ratio near 1 (it was 7 and
// more when each edit copied the whole file).
func BenchmarkRewriteScaling(b *testing.B) {
	type input struct {
		src   []byte
		edits []Edit
		took  time.Duration
	}
	ins := []*input{{}, {}}
	for i, size := range []int{1 << 20, 8 << 20} {
		ins[i].src, ins[i].edits = sitesModule(size)
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n++
		for _, in := range ins {
			t0 := time.Now()
			if _, _, err := File("m.nix", in.src, in.edits); err != nil {
				b.Fatal(err)
			}
			o := NewOffsets(in.edits)
			for _, e := range in.edits {
				_ = o.Map(e.Start)
			}
			in.took += time.Since(t0)
		}
	}
	per := func(in *input) float64 { return float64(in.took.Nanoseconds()) / float64(n*len(in.edits)) }
	b.ReportMetric(per(ins[0]), "ns/site@1MB")
	b.ReportMetric(per(ins[1]), "ns/site@8MB")
	b.ReportMetric(per(ins[1])/per(ins[0]), "8MB/1MB")
}
