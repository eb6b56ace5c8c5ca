package syntax

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestShapeMatchesNix parses random operator expressions with Nix and with
// Parse, and compares the trees: Nix prints its AST fully parenthesised
// (`(a + (__mul b c))`), and nixShow prints ours the same way.
func TestShapeMatchesNix(t *testing.T) {
	nix, err := exec.LookPath("nix-instantiate")
	if err != nil {
		t.Skip("nix-instantiate not installed")
	}
	if testing.Short() {
		t.Skip("runs nix-instantiate many times")
	}
	r := rand.New(rand.NewPCG(1, 2))
	var srcs []string
	for range 150 {
		srcs = append(srcs, "a: b: c: "+genExpr(r, 1+r.IntN(4)))
	}
	var wg sync.WaitGroup
	var compared atomic.Int32
	sem := make(chan struct{}, 4)
	for _, src := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, nixErr := exec.CommandContext(ctx, nix, "--parse", "-E", src).Output()
			f, err := Parse("t.nix", []byte(src))
			if (nixErr == nil) != (err == nil) {
				t.Errorf("%q: Nix accepts: %v; Parse: %v", src, nixErr == nil, err)
				return
			}
			if err != nil {
				return
			}
			want := strings.TrimSpace(string(out))
			want = strings.TrimSuffix(strings.TrimPrefix(want, "(a: (b: (c: "), ")))")
			body := f.Root.(*Lambda).Body.(*Lambda).Body.(*Lambda).Body
			if got := nixShow(body); got != want {
				t.Errorf("%q:\n Nix   %s\n Parse %s", src, want, got)
			}
			compared.Add(1)
		}()
	}
	wg.Wait()
	if n := compared.Load(); n < 100 {
		t.Errorf("compared only %d trees; the generator makes too many syntax errors", n)
	}
}

var genOps = []string{"+", "-", "*", "/", "++", "//", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "->"}

func genExpr(r *rand.Rand, depth int) string {
	leaf := func() string { return []string{"a", "b", "c", "1", "2"}[r.IntN(5)] }
	if depth <= 0 {
		return leaf()
	}
	switch r.IntN(9) {
	case 0, 1, 2:
		return genExpr(r, depth-1) + " " + genOps[r.IntN(len(genOps))] + " " + genExpr(r, depth-1)
	case 3:
		return []string{"!", "-"}[r.IntN(2)] + genExpr(r, depth-1)
	case 4:
		return genExpr(r, depth-1) + " " + genExpr(r, depth-1)
	case 5:
		if r.IntN(2) == 0 {
			return leaf() + ".x or " + genExpr(r, depth-1)
		}
		return leaf() + ".x"
	case 6:
		return genExpr(r, depth-1) + " ? x"
	case 7:
		return "(" + genExpr(r, depth-1) + ")"
	}
	return leaf()
}

func unparen(x Expr) Expr {
	for {
		p, ok := x.(*Paren)
		if !ok {
			return x
		}
		x = p.X
	}
}

// nixCall returns the function and arguments of x if Nix represents it as
// a call: an application, or an operator Nix desugars into a builtin.
// Nix appends the arguments of `(f x) y` to the call `f x`.
func nixCall(x Expr) (string, []string, bool) {
	switch x := unparen(x).(type) {
	case *Apply:
		fn, args, ok := nixCall(x.Fn)
		if !ok {
			fn, args = nixShow(x.Fn), nil
		}
		return fn, append(args, nixShow(x.Arg)), true
	case *Binary:
		switch x.Op {
		case MINUS:
			return "__sub", []string{nixShow(x.X), nixShow(x.Y)}, true
		case MUL:
			return "__mul", []string{nixShow(x.X), nixShow(x.Y)}, true
		case DIV:
			return "__div", []string{nixShow(x.X), nixShow(x.Y)}, true
		case LT:
			return "__lessThan", []string{nixShow(x.X), nixShow(x.Y)}, true
		case GT:
			return "__lessThan", []string{nixShow(x.Y), nixShow(x.X)}, true
		}
	case *Unary:
		if x.Op == MINUS {
			return "__sub", []string{"0", nixShow(x.X)}, true
		}
	}
	return "", nil, false
}

// nixShow prints the expressions genExpr makes as Nix 2.8's --parse does.
func nixShow(x Expr) string {
	if fn, args, ok := nixCall(x); ok {
		return "(" + fn + " " + strings.Join(args, " ") + ")"
	}
	switch x := unparen(x).(type) {
	case *Ident:
		return x.Name
	case *Int:
		return strconv.FormatInt(x.Value, 10)
	case *Binary:
		switch x.Op {
		case LEQ:
			return "(! (__lessThan " + nixShow(x.Y) + " " + nixShow(x.X) + "))"
		case GEQ:
			return "(! (__lessThan " + nixShow(x.X) + " " + nixShow(x.Y) + "))"
		}
		return "(" + nixShow(x.X) + " " + strings.Trim(x.Op.String(), "'") + " " + nixShow(x.Y) + ")"
	case *Unary:
		return "(! " + nixShow(x.X) + ")"
	case *Select:
		s := "(" + nixShow(x.X) + ")." + x.Path[0].Name
		if x.Default != nil {
			s += " or (" + nixShow(x.Default) + ")"
		}
		return s
	case *HasAttr:
		return "((" + nixShow(x.X) + ") ? " + x.Path[0].Name + ")"
	}
	return fmt.Sprintf("<%T>", x)
}
