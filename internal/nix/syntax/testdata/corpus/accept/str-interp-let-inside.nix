"${let x = { y = "}"; }; in x.y}"
