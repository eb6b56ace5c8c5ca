package syntax

import "testing"

func TestKeywordMatchesMap(t *testing.T) {
	words := []string{"", "i", "if", "in", "or", "of", "let", "rec", "lex", "then", "else", "with", "wish", "assert", "inherit", "inherits", "x", "IF", "Let"}
	for w := range keywords {
		words = append(words, w, w+"x", "x"+w)
	}
	for _, w := range words {
		want, ok := keywords[w]
		if !ok {
			want = IDENT
		}
		if got := keyword([]byte(w)); got != want {
			t.Errorf("keyword(%q) = %v, want %v", w, got, want)
		}
	}
}
