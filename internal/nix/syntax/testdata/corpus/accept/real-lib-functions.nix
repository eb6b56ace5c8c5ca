let
  lib = {
    id = x: x;
    const = x: _: x;
    flip = f: a: b: f b a;
    foldr = op: nul: list:
      let
        len = builtins.length list;
        fold' = n: if n == len then nul else op (builtins.elemAt list n) (fold' (n + 1));
      in fold' 0;
    optional = cond: elem: if cond then [ elem ] else [ ];
    optionalAttrs = cond: as: if cond then as else { };
    recursiveUpdate = lhs: rhs:
      lhs // builtins.mapAttrs
        (name: value:
          if builtins.isAttrs value && lhs ? ${name} && builtins.isAttrs lhs.${name}
          then lib.recursiveUpdate lhs.${name} value
          else value)
        rhs;
    escapeShellArg = arg: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
    versionAtLeast = v1: v2: builtins.compareVersions v1 v2 >= 0;
    assertMsg = pred: msg: pred || builtins.throw msg;
  };
in
assert lib.assertMsg (lib.versionAtLeast "2.8" "2.3") "too old";
lib // { sum = lib.foldr (a: b: a + b) 0 [ 1 2 3 ]; neg = -(lib.id 1); ok = !false && true -> true; }
