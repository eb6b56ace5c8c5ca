/* block */ 1 /* another
spanning lines */
