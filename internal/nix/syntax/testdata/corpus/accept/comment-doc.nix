/** doc comment */
x: x
