"""Compare build/pylon-decode JSON with polkadot-js toJSON() output.

The two differ only in conventions, which are normalised here and nowhere
else:
  * object keys: ours are the metadata's snake_case names, polkadot-js
    camelCases them (struct fields and enum variants) -> compared with
    underscores removed, case-insensitively;
  * integers: ours are JSON numbers up to 2^63-1, then decimal strings;
    polkadot-js gives numbers up to 2^53, then "0x" hex -> compared as ints.
Everything else (SS58 strings, "0x" byte strings, null, booleans, arrays)
must be identical.
"""


def _key(k):
    return k.replace("_", "").lower()


def _as_int(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        if v.startswith("0x") and len(v) > 2:
            try:
                return int(v, 16)
            except ValueError:
                return None
        if v.lstrip("-").isdigit():
            return int(v)
    return None


def differences(ours, theirs, path="$", out=None, limit=20):
    """List of human-readable differences (empty when equal)."""
    if out is None:
        out = []
    if len(out) >= limit:
        return out

    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            out.append(f"{path}: object vs {theirs!r:.80}")
            return out
        tk = {_key(k): k for k in theirs}
        if sorted(tk) != sorted(_key(k) for k in ours):
            out.append(f"{path}: keys {sorted(ours)} vs {sorted(theirs)}")
            return out
        for k, v in ours.items():
            differences(v, theirs[tk[_key(k)]], f"{path}.{k}", out, limit)
        return out

    if isinstance(ours, list):
        if not isinstance(theirs, list) or len(ours) != len(theirs):
            out.append(f"{path}: array of {len(ours)} vs {theirs!r:.80}")
            return out
        for i, (a, b) in enumerate(zip(ours, theirs)):
            differences(a, b, f"{path}[{i}]", out, limit)
        return out

    if isinstance(ours, bool) or ours is None:
        if ours is not theirs:
            out.append(f"{path}: {ours!r} vs {theirs!r}")
        return out

    if isinstance(ours, int) or (isinstance(ours, str) and ours.isdigit()):
        a, b = _as_int(ours), _as_int(theirs)
        if a is None or a != b:
            out.append(f"{path}: {ours!r} vs {theirs!r}")
        return out

    if isinstance(ours, str) and isinstance(theirs, str):
        # unit enum variants: polkadot-js keeps the name, maybe camelCased
        if ours != theirs and _key(ours) != _key(theirs):
            out.append(f"{path}: {ours!r:.80} vs {theirs!r:.80}")
        return out

    out.append(f"{path}: {ours!r:.80} vs {theirs!r:.80}")
    return out
