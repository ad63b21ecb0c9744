"""A small, strict parser of the Prometheus text exposition format 0.0.4 (for the tests).

parse(text) -> {family: {"type", "help", "samples": [(name, {label: value}, float)]}}
It raises ValueError on anything the format does not allow: a sample before its TYPE, a
sample whose name does not belong to the current family, a family declared twice, bad label
syntax or escapes, a value that is not a float, duplicate series.
"""
import math
import re

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
SUFFIXES = {"histogram": ("_bucket", "_count", "_sum"), "summary": ("_count", "_sum", "")}


def _labels(s):
    out, i = {}, 0
    while i < len(s):
        m = re.match(LABEL, s[i:])
        if not m:
            raise ValueError("bad label name at %r" % s[i:])
        name = m.group(0)
        i += len(name)
        if s[i:i + 2] != '="':
            raise ValueError("expected =\" after %s" % name)
        i += 2
        val = []
        while True:
            if i >= len(s):
                raise ValueError("unterminated label value")
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError("bad escape \\%s" % nxt)
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ValueError("newline in label value")
            else:
                val.append(c)
                i += 1
        if name in out:
            raise ValueError("label %s twice" % name)
        out[name] = "".join(val)
        if i < len(s):
            if s[i] != ",":
                raise ValueError("expected , at %r" % s[i:])
            i += 1
    return out


def _value(v):
    if v in ("+Inf", "-Inf", "NaN"):
        return float(v.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", v):
        raise ValueError("bad value %r" % v)
    return float(v)


def parse(text):
    if not text.endswith("\n"):
        raise ValueError("exposition must end with a newline")
    fams, cur, seen = {}, None, set()
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            m = re.fullmatch(r"# HELP (%s) (.*)" % NAME, line)
            if not m:
                raise ValueError("bad HELP %r" % line)
            fams.setdefault(m.group(1), {"type": None, "help": None, "samples": []})
            if fams[m.group(1)]["help"] is not None:
                raise ValueError("HELP twice for %s" % m.group(1))
            fams[m.group(1)]["help"] = m.group(2)
            continue
        if line.startswith("# TYPE "):
            m = re.fullmatch(r"# TYPE (%s) (\w+)" % NAME, line)
            if not m or m.group(2) not in TYPES:
                raise ValueError("bad TYPE %r" % line)
            f = fams.setdefault(m.group(1), {"type": None, "help": None, "samples": []})
            if f["type"] is not None or f["samples"]:
                raise ValueError("TYPE twice or after samples for %s" % m.group(1))
            f["type"] = m.group(2)
            cur = m.group(1)
            continue
        if line.startswith("#") or line == "":
            raise ValueError("unexpected line %r" % line)
        m = re.fullmatch(r"(%s)(\{(.*)\})? (\S+)( -?[0-9]+)?" % NAME, line)
        if not m:
            raise ValueError("bad sample %r" % line)
        name, labels, value = m.group(1), _labels(m.group(3) or ""), _value(m.group(4))
        if cur is None:
            raise ValueError("sample before any TYPE: %r" % line)
        t = fams[cur]["type"]
        allowed = [cur + s for s in SUFFIXES.get(t, ("",))]
        if name not in allowed:
            raise ValueError("sample %s outside its family %s" % (name, cur))
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise ValueError("duplicate series %r" % (key,))
        seen.add(key)
        fams[cur]["samples"].append((name, labels, value))
    return fams


def value(fams, name, **labels):
    """The value of the one sample called name whose labels include `labels`, or None."""
    fam = name
    for suf in ("_bucket", "_count", "_sum"):
        if name.endswith(suf) and name[:-len(suf)] in fams:
            fam = name[:-len(suf)]
    found = [v for n, lab, v in fams.get(fam, {"samples": []})["samples"]
             if n == name and all(lab.get(k) == str(x) for k, x in labels.items())]
    if len(found) > 1:
        raise ValueError("%d samples match %s %r" % (len(found), name, labels))
    return found[0] if found else None


def histograms(fams, family):
    """{labels-without-le: {"buckets": [(le, count)], "count", "sum"}} of a histogram family."""
    out = {}
    for n, lab, v in fams[family]["samples"]:
        rest = tuple(sorted((k, x) for k, x in lab.items() if k != "le"))
        h = out.setdefault(rest, {"buckets": [], "count": None, "sum": None})
        if n.endswith("_bucket"):
            h["buckets"].append((math.inf if lab["le"] == "+Inf" else float(lab["le"]), v))
        elif n.endswith("_count"):
            h["count"] = v
        else:
            h["sum"] = v
    return out
