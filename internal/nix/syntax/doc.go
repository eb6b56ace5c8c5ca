// Package syntax is a lossless lexer and parser for the Nix language,
// matching what Nix 2.8's `nix-instantiate --parse` accepts, plus the pipe
// operators `|>` and `<|` of newer Nix.
//
// Parse returns a *File whose Tokens cover every byte of the source,
// whitespace and comments included, so that a file can be reproduced exactly
// and edited by splicing bytes at node spans. The syntax tree records byte
// spans only; File.Position turns an offset into a line and column.
//
// Besides syntax errors, Parse reports the errors Nix raises while parsing:
// duplicate attributes and formals, dynamic attributes in `let` and
// `inherit`, integer and float literals out of range, and variables that no
// enclosing scope (or `with`) binds. Errors come back as an ErrorList sorted
// by position; the tree is still returned, with *Bad nodes where nothing
// could be parsed.
package syntax
