package main

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pinner-dev/pinner/internal/nix/syntax"
)

var frags = []string{" ", "\n", "a", "b", "x", "1", "1.5", ".5", "\"", "''", "${", "}", "{", "[", "]", "(", ")", ";", ":", ",", ".", "@", "=", "?", "+", "-", "*", "/", "//", "++", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "->", "!", "or", "let", "in", "rec", "inherit", "if", "then", "else", "with", "assert", "...", "./", "~/", "<n>", "$", "'", "\\", "#c\n", "/*c*/", "x:", "e3", "0", "a/b", "x:y", "'''", "''$", "''\\n", "\r", "\t", "__curPos", "|>", "<|", "a.b = 1; ", "a = { b = 1; }; ", "a.c = b; ", "inherit a; ", "a = rec { b = 1; }; ", "inherit (a) b; ", "${\"a\"} = 1; ", " a.x or b"}

func mutate(r *rand.Rand, s string) string {
	b := []byte(s)
	n := 1 + r.Intn(6)
	for i := 0; i < n; i++ {
		pos := 0
		if len(b) > 0 {
			pos = r.Intn(len(b) + 1)
		}
		switch r.Intn(3) {
		case 0: // insert fragment
			f := frags[r.Intn(len(frags))]
			b = append(b[:pos], append([]byte(f), b[pos:]...)...)
		case 1: // delete a few bytes
			if pos < len(b) {
				e := pos + 1 + r.Intn(3)
				if e > len(b) {
					e = len(b)
				}
				b = append(b[:pos], b[e:]...)
			}
		case 2: // replace a byte with a fragment
			if pos < len(b) {
				f := frags[r.Intn(len(frags))]
				b = append(b[:pos], append([]byte(f), b[pos+1:]...)...)
			}
		}
	}
	return string(b)
}

func main() {
	dir := os.Args[1]
	n := 2000
	fmt.Sscan(os.Args[2], &n)
	seed := int64(1)
	fmt.Sscan(os.Args[3], &seed)
	var bases []string
	for _, pat := range []string{"internal/nix/syntax/testdata/corpus/accept/*.nix", "internal/nix/syntax/testdata/corpus/reject/*.nix"} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			b, _ := os.ReadFile(f)
			if len(b) < 2000 {
				bases = append(bases, string(b))
			}
		}
	}
	r := rand.New(rand.NewSource(seed))
	type res struct{ src, msg string }
	var mu sync.Mutex
	var bad []res
	var accepted, rejected int
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				mu.Lock()
				src := mutate(r, bases[r.Intn(len(bases))])
				mu.Unlock()
				if strings.Contains(src, "|>") || strings.Contains(src, "<|") {
					continue
				}
				path := filepath.Join(dir, fmt.Sprintf("m%d.nix", i))
				os.WriteFile(path, []byte(src), 0o644)
				cmd := exec.Command("nix-instantiate", "--parse", path)
				cmd.Env = append(os.Environ(), "NIX_CONFIG=substituters =")
				out, err := cmd.CombinedOutput()
				nixOK := err == nil
				mu.Lock()
				if nixOK {
					accepted++
				} else {
					rejected++
				}
				mu.Unlock()
				_, perr := syntax.Parse(path, []byte(src))
				if nixOK != (perr == nil) {
					mu.Lock()
					bad = append(bad, res{src, fmt.Sprintf("nix ok=%v: %s | pinner: %v", nixOK, strings.SplitN(string(out), "\n", 4), perr)})
					mu.Unlock()
				} else {
					os.Remove(path)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, b := range bad {
		fmt.Printf("%q\n    %s\n", b.src, b.msg)
	}
	fmt.Println("mismatches:", len(bad), "accepted", accepted, "rejected", rejected)
}
