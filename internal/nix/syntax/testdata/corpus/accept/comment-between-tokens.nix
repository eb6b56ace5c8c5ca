let /* a */ x /* b */ = /* c */ 1 /* d */ ; /* e */ in /* f */ x
