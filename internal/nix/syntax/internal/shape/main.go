package main

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	sx "github.com/pinner-dev/pinner/internal/nix/syntax"
)

var ops = []string{"+", "-", "*", "/", "++", "//", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "->"}

func gen(r *rand.Rand, d int) string {
	if d <= 0 {
		return []string{"a", "b", "c", "1", "2"}[r.Intn(5)]
	}
	switch r.Intn(9) {
	case 0, 1, 2:
		return gen(r, d-1) + " " + ops[r.Intn(len(ops))] + " " + gen(r, d-1)
	case 3:
		return []string{"!", "-"}[r.Intn(2)] + gen(r, d-1)
	case 4:
		return gen(r, d-1) + " " + gen(r, d-1)
	case 5:
		s := gen(r, 0) + ".x"
		if r.Intn(2) == 0 {
			s += " or " + gen(r, d-1)
		}
		return s
	case 6:
		return gen(r, d-1) + " ? x"
	case 7:
		return "(" + gen(r, d-1) + ")"
	}
	return gen(r, 0)
}

func unparen(x sx.Expr) sx.Expr {
	for {
		p, ok := x.(*sx.Paren)
		if !ok {
			return x
		}
		x = p.X
	}
}

// call returns the head and args when x prints as a Nix ExprCall.
func call(x sx.Expr) (string, []string, bool) {
	switch x := unparen(x).(type) {
	case *sx.Apply:
		h, args, ok := call(x.Fn)
		if !ok {
			h, args = show(x.Fn), nil
		}
		return h, append(args, show(x.Arg)), true
	case *sx.Binary:
		switch x.Op {
		case sx.MINUS:
			return "__sub", []string{show(x.X), show(x.Y)}, true
		case sx.MUL:
			return "__mul", []string{show(x.X), show(x.Y)}, true
		case sx.DIV:
			return "__div", []string{show(x.X), show(x.Y)}, true
		case sx.LT:
			return "__lessThan", []string{show(x.X), show(x.Y)}, true
		case sx.GT:
			return "__lessThan", []string{show(x.Y), show(x.X)}, true
		}
	case *sx.Unary:
		if x.Op == sx.MINUS {
			return "__sub", []string{"0", show(x.X)}, true
		}
	}
	return "", nil, false
}

func show(x sx.Expr) string {
	if h, args, ok := call(x); ok {
		return "(" + h + " " + strings.Join(args, " ") + ")"
	}
	switch x := unparen(x).(type) {
	case *sx.Ident:
		return x.Name
	case *sx.Int:
		return strconv.FormatInt(x.Value, 10)
	case *sx.Binary:
		switch x.Op {
		case sx.LEQ:
			return "(! (__lessThan " + show(x.Y) + " " + show(x.X) + "))"
		case sx.GEQ:
			return "(! (__lessThan " + show(x.X) + " " + show(x.Y) + "))"
		}
		return "(" + show(x.X) + " " + strings.Trim(x.Op.String(), "'") + " " + show(x.Y) + ")"
	case *sx.Unary:
		return "(! " + show(x.X) + ")"
	case *sx.Select:
		s := "(" + show(x.X) + ").x"
		if x.Default != nil {
			s += " or (" + show(x.Default) + ")"
		}
		return s
	case *sx.HasAttr:
		return "((" + show(x.X) + ") ? x)"
	}
	return fmt.Sprintf("?%T", x)
}

func main() {
	dir := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	seed, _ := strconv.Atoi(os.Args[3])
	r := rand.New(rand.NewSource(int64(seed)))
	var mu sync.Mutex
	var wg sync.WaitGroup
	jobs := make(chan int)
	stats := map[string]int{}
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				mu.Lock()
				e := gen(r, 1+r.Intn(4))
				mu.Unlock()
				src := "a: b: c: " + e
				path := filepath.Join(dir, fmt.Sprintf("s%d.nix", i))
				os.WriteFile(path, []byte(src), 0o644)
				out, err := exec.Command("nix-instantiate", "--parse", path).Output()
				f, perr := sx.Parse(path, []byte(src))
				os.Remove(path)
				mu.Lock()
				switch {
				case (err == nil) != (perr == nil):
					stats["accept-mismatch"]++
					fmt.Printf("ACCEPT %q nix=%v pinner=%v\n", src, err == nil, perr)
				case err != nil:
					stats["both-reject"]++
				default:
					nix := strings.TrimSpace(string(out))
					nix = strings.TrimSuffix(strings.TrimPrefix(nix, "(a: (b: (c: "), ")))")
					body := f.Root.(*sx.Lambda).Body.(*sx.Lambda).Body.(*sx.Lambda).Body
					mine := show(body)
					if nix != mine {
						stats["shape-mismatch"]++
						fmt.Printf("SHAPE %q\n  nix    %s\n  pinner %s\n", src, nix, mine)
					} else {
						stats["same"]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	fmt.Println(stats)
}
