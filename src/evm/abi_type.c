/*
 * abi_type.c: parsing Solidity ABI type text and JSON ABI parameters
 * into pylon_abi_type_t trees, and printing the canonical text back
 * (the form event signatures are hashed over).
 *
 * Grammar of the text form:
 *
 *     type   = base suffix* | "(" type ("," type)* ")" suffix*
 *     suffix = "[" digits? "]"
 *     base   = uintN | intN | uint | int | address | bool | bytesN
 *            | bytes | string
 */

#include <stdio.h>
#include <string.h>

#include "evm/abi_type.h"


typedef struct {
    pylon_arena_t  *arena;
    const char     *pos;
    const char     *end;
    char           *err;
    size_t          errlen;
} pylon_abi_parse_t;


static pylon_abi_type_t *pylon_abi_parse_one(pylon_abi_parse_t *ps,
    unsigned depth);
static pylon_abi_type_t *pylon_abi_parse_suffixes(pylon_abi_parse_t *ps,
    pylon_abi_type_t *t, unsigned depth);


static void
pylon_abi_fail(pylon_abi_parse_t *ps, const char *fmt, const char *what,
    size_t n)
{
    if (ps->err && ps->errlen) {
        snprintf(ps->err, ps->errlen, fmt, (int) (n > 64 ? 64 : n), what);
    }
}


static pylon_abi_type_t *
pylon_abi_node(pylon_arena_t *a, pylon_abi_kind_e kind, unsigned size)
{
    pylon_abi_type_t  *t;

    t = pylon_arena_alloc(a, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = kind;
    t->size = size;
    t->dynamic = (kind == PYLON_ABI_BYTES || kind == PYLON_ABI_STRING);
    t->head = 32;
    return t;
}


static unsigned
pylon_abi_number(const char *s, size_t n, int *ok)
{
    size_t    i;
    unsigned  v = 0;

    *ok = (n > 0 && n <= 6 && s[0] != '0');
    for (i = 0; *ok && i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            *ok = 0;
            break;
        }
        v = v * 10 + (unsigned) (s[i] - '0');
    }
    return v;
}


static pylon_abi_type_t *
pylon_abi_base(pylon_abi_parse_t *ps, const char *s, size_t n)
{
    int       ok;
    unsigned  v;

#define PYLON_ABI_IS(lit)  (n == sizeof(lit) - 1 && memcmp(s, lit, n) == 0)

    if (PYLON_ABI_IS("address")) {
        return pylon_abi_node(ps->arena, PYLON_ABI_ADDRESS, 160);
    }
    if (PYLON_ABI_IS("bool")) {
        return pylon_abi_node(ps->arena, PYLON_ABI_BOOL, 8);
    }
    if (PYLON_ABI_IS("string")) {
        return pylon_abi_node(ps->arena, PYLON_ABI_STRING, 0);
    }
    if (PYLON_ABI_IS("bytes")) {
        return pylon_abi_node(ps->arena, PYLON_ABI_BYTES, 0);
    }
    if (PYLON_ABI_IS("uint")) {
        return pylon_abi_node(ps->arena, PYLON_ABI_UINT, 256);
    }
    if (PYLON_ABI_IS("int")) {
        return pylon_abi_node(ps->arena, PYLON_ABI_INT, 256);
    }
#undef PYLON_ABI_IS

    if (n > 4 && memcmp(s, "uint", 4) == 0) {
        v = pylon_abi_number(s + 4, n - 4, &ok);
        if (ok && v % 8 == 0 && v >= 8 && v <= 256) {
            return pylon_abi_node(ps->arena, PYLON_ABI_UINT, v);
        }
    } else if (n > 3 && memcmp(s, "int", 3) == 0) {
        v = pylon_abi_number(s + 3, n - 3, &ok);
        if (ok && v % 8 == 0 && v >= 8 && v <= 256) {
            return pylon_abi_node(ps->arena, PYLON_ABI_INT, v);
        }
    } else if (n > 5 && memcmp(s, "bytes", 5) == 0) {
        v = pylon_abi_number(s + 5, n - 5, &ok);
        if (ok && v >= 1 && v <= 32) {
            return pylon_abi_node(ps->arena, PYLON_ABI_FBYTES, v);
        }
    }

    pylon_abi_fail(ps, "Unsupported ABI type: %.*s", s, n);
    return NULL;
}


/* fill dynamic/head of a composite node; 0, or -1 if too large */
static int
pylon_abi_layout(pylon_abi_parse_t *ps, pylon_abi_type_t *t)
{
    unsigned  i;
    size_t    sz = 0;

    if (t->kind == PYLON_ABI_ARRAY) {
        t->dynamic = 1;
        t->head = 32;
        return 0;
    }

    if (t->kind == PYLON_ABI_FARRAY) {
        t->dynamic = t->elem->dynamic;
        sz = (size_t) t->size * t->elem->head;

    } else {
        t->dynamic = 0;
        for (i = 0; i < t->size; i++) {
            t->dynamic |= t->fields[i]->dynamic;
            sz += t->fields[i]->head;
        }
    }

    if (sz > PYLON_ABI_MAX_STATIC) {
        pylon_abi_fail(ps, "ABI type too large%.*s", "", 0);
        return -1;
    }
    t->head = t->dynamic ? 32 : sz;
    return 0;
}


static pylon_abi_type_t *
pylon_abi_parse_suffixes(pylon_abi_parse_t *ps, pylon_abi_type_t *t,
    unsigned depth)
{
    int                ok;
    const char        *num;
    pylon_abi_type_t  *a;

    while (ps->pos < ps->end && *ps->pos == '[') {
        if (++depth > PYLON_ABI_MAX_DEPTH) {
            pylon_abi_fail(ps, "ABI type nested too deeply%.*s", "", 0);
            return NULL;
        }
        num = ++ps->pos;
        while (ps->pos < ps->end && *ps->pos != ']') {
            ps->pos++;
        }
        if (ps->pos == ps->end) {
            pylon_abi_fail(ps, "Unterminated array in ABI type%.*s", "", 0);
            return NULL;
        }

        if (ps->pos == num) {
            a = pylon_abi_node(ps->arena, PYLON_ABI_ARRAY, 0);
        } else {
            unsigned k = pylon_abi_number(num, (size_t) (ps->pos - num), &ok);

            if (!ok || k > PYLON_ABI_MAX_FIXED) {
                pylon_abi_fail(ps, "Invalid array length in ABI type: %.*s",
                               num, (size_t) (ps->pos - num));
                return NULL;
            }
            a = pylon_abi_node(ps->arena, PYLON_ABI_FARRAY, k);
        }
        ps->pos++;

        if (a == NULL) {
            return NULL;
        }
        a->elem = t;
        if (pylon_abi_layout(ps, a) != 0) {
            return NULL;
        }
        t = a;
    }
    return t;
}


static pylon_abi_type_t *
pylon_abi_parse_tuple(pylon_abi_parse_t *ps, unsigned depth)
{
    unsigned           n = 0;
    pylon_abi_type_t  *items[PYLON_ABI_MAX_FIELDS];

    ps->pos++;                                  /* '(' */
    for ( ;; ) {
        if (n == PYLON_ABI_MAX_FIELDS) {
            pylon_abi_fail(ps, "Too many tuple components%.*s", "", 0);
            return NULL;
        }
        items[n] = pylon_abi_parse_one(ps, depth + 1);
        if (items[n] == NULL) {
            return NULL;
        }
        n++;
        if (ps->pos < ps->end && *ps->pos == ',') {
            ps->pos++;
            continue;
        }
        if (ps->pos < ps->end && *ps->pos == ')') {
            ps->pos++;
            break;
        }
        pylon_abi_fail(ps, "Malformed tuple in ABI type%.*s", "", 0);
        return NULL;
    }

    return pylon_abi_type_tuple(ps->arena, items, NULL, n);
}


static pylon_abi_type_t *
pylon_abi_parse_one(pylon_abi_parse_t *ps, unsigned depth)
{
    const char        *start;
    pylon_abi_type_t  *t;

    if (depth > PYLON_ABI_MAX_DEPTH) {
        pylon_abi_fail(ps, "ABI type nested too deeply%.*s", "", 0);
        return NULL;
    }

    if (ps->pos < ps->end && *ps->pos == '(') {
        t = pylon_abi_parse_tuple(ps, depth);

    } else {
        start = ps->pos;
        while (ps->pos < ps->end
               && ((*ps->pos >= 'a' && *ps->pos <= 'z')
                   || (*ps->pos >= '0' && *ps->pos <= '9')))
        {
            ps->pos++;
        }
        if (ps->pos == start) {
            pylon_abi_fail(ps, "Unsupported ABI type: %.*s", start,
                           (size_t) (ps->end - start));
            return NULL;
        }
        t = pylon_abi_base(ps, start, (size_t) (ps->pos - start));
    }

    if (t == NULL) {
        return NULL;
    }
    return pylon_abi_parse_suffixes(ps, t, depth);
}


pylon_abi_type_t *
pylon_abi_type_parse(pylon_arena_t *a, const char *s, size_t n, char *err,
    size_t errlen)
{
    pylon_abi_type_t   *t;
    pylon_abi_parse_t   ps;

    ps.arena = a;
    ps.pos = s;
    ps.end = s + n;
    ps.err = err;
    ps.errlen = errlen;
    if (err && errlen) {
        err[0] = '\0';
    }

    t = pylon_abi_parse_one(&ps, 0);
    if (t != NULL && ps.pos != ps.end) {
        pylon_abi_fail(&ps, "Unsupported ABI type: %.*s", s, n);
        return NULL;
    }
    if (t == NULL && err && errlen && err[0] == '\0') {
        snprintf(err, errlen, "out of memory");
    }
    return t;
}


pylon_abi_type_t *
pylon_abi_type_tuple(pylon_arena_t *a, pylon_abi_type_t **fields,
    const char **names, unsigned n)
{
    unsigned            i;
    pylon_abi_type_t   *t;
    pylon_abi_parse_t   ps;

    t = pylon_abi_node(a, PYLON_ABI_TUPLE, n);
    if (t == NULL) {
        return NULL;
    }
    t->fields = pylon_arena_alloc(a, (n ? n : 1) * sizeof(*t->fields));
    t->names = pylon_arena_alloc(a, (n ? n : 1) * sizeof(*t->names));
    if (t->fields == NULL || t->names == NULL) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        t->fields[i] = fields[i];
        t->names[i] = (names && names[i]) ? names[i] : "";
    }

    memset(&ps, 0, sizeof(ps));
    return pylon_abi_layout(&ps, t) == 0 ? t : NULL;
}


static pylon_abi_type_t *
pylon_abi_from_json(pylon_arena_t *a, const json_t *param, unsigned depth,
    char *err, size_t errlen)
{
    size_t              i, n, tlen;
    const char         *ts;
    json_t             *jt, *comps, *jn;
    pylon_abi_type_t   *t, *items[PYLON_ABI_MAX_FIELDS];
    const char         *names[PYLON_ABI_MAX_FIELDS];
    pylon_abi_parse_t   ps;

    if (!json_is_object(param)) {
        snprintf(err, errlen, "ABI parameter is not an object");
        return NULL;
    }
    if (depth > PYLON_ABI_MAX_DEPTH) {
        snprintf(err, errlen, "ABI type nested too deeply");
        return NULL;
    }
    jt = json_object_get(param, "type");
    if (jt == NULL) {
        snprintf(err, errlen, "'type'");
        return NULL;
    }
    if (!json_is_string(jt)) {
        snprintf(err, errlen, "ABI parameter type is not a string");
        return NULL;
    }
    ts = json_string_value(jt);
    tlen = json_string_length(jt);
    if (memchr(ts, '\0', tlen) != NULL) {
        snprintf(err, errlen, "Unsupported ABI type");
        return NULL;
    }

    if (tlen < 5 || memcmp(ts, "tuple", 5) != 0) {
        return pylon_abi_type_parse(a, ts, tlen, err, errlen);
    }

    comps = json_object_get(param, "components");
    if (comps == NULL) {
        snprintf(err, errlen, "'components'");
        return NULL;
    }
    if (!json_is_array(comps)) {
        snprintf(err, errlen, "ABI components is not a list");
        return NULL;
    }
    n = json_array_size(comps);
    if (n == 0 || n > PYLON_ABI_MAX_FIELDS) {
        snprintf(err, errlen, "ABI tuple must have 1 to %d components",
                 PYLON_ABI_MAX_FIELDS);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        items[i] = pylon_abi_from_json(a, json_array_get(comps, i),
                                       depth + 1, err, errlen);
        if (items[i] == NULL) {
            return NULL;
        }
        jn = json_object_get(json_array_get(comps, i), "name");
        names[i] = json_is_string(jn)
                   ? pylon_arena_strdup(a, json_string_value(jn),
                                        json_string_length(jn))
                   : "";
        if (names[i] == NULL) {
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    }
    t = pylon_abi_type_tuple(a, items, names, (unsigned) n);
    if (t == NULL) {
        snprintf(err, errlen, "ABI type too large");
        return NULL;
    }

    ps.arena = a;
    ps.pos = ts + 5;
    ps.end = ts + tlen;
    ps.err = err;
    ps.errlen = errlen;
    t = pylon_abi_parse_suffixes(&ps, t, depth);
    if (t != NULL && ps.pos != ps.end) {
        snprintf(err, errlen, "Unsupported ABI type: %.*s",
                 (int) (tlen > 64 ? 64 : tlen), ts);
        return NULL;
    }
    return t;
}


pylon_abi_type_t *
pylon_abi_type_from_json(pylon_arena_t *a, const json_t *param, char *err,
    size_t errlen)
{
    return pylon_abi_from_json(a, param, 0, err, errlen);
}


int
pylon_abi_type_canonical(pylon_buf_t *b, const pylon_abi_type_t *t)
{
    unsigned  i;
    char      tmp[32];
    int       n;

    switch (t->kind) {
    case PYLON_ABI_UINT:
    case PYLON_ABI_INT:
        n = snprintf(tmp, sizeof(tmp), "%s%u",
                     t->kind == PYLON_ABI_UINT ? "uint" : "int", t->size);
        return pylon_buf_put(b, tmp, (size_t) n);
    case PYLON_ABI_ADDRESS:
        return pylon_buf_put(b, "address", 7);
    case PYLON_ABI_BOOL:
        return pylon_buf_put(b, "bool", 4);
    case PYLON_ABI_FBYTES:
        n = snprintf(tmp, sizeof(tmp), "bytes%u", t->size);
        return pylon_buf_put(b, tmp, (size_t) n);
    case PYLON_ABI_BYTES:
        return pylon_buf_put(b, "bytes", 5);
    case PYLON_ABI_STRING:
        return pylon_buf_put(b, "string", 6);
    case PYLON_ABI_ARRAY:
        if (pylon_abi_type_canonical(b, t->elem) != 0) {
            return -1;
        }
        return pylon_buf_put(b, "[]", 2);
    case PYLON_ABI_FARRAY:
        if (pylon_abi_type_canonical(b, t->elem) != 0) {
            return -1;
        }
        n = snprintf(tmp, sizeof(tmp), "[%u]", t->size);
        return pylon_buf_put(b, tmp, (size_t) n);
    case PYLON_ABI_TUPLE:
        if (pylon_buf_put(b, "(", 1) != 0) {
            return -1;
        }
        for (i = 0; i < t->size; i++) {
            if ((i && pylon_buf_put(b, ",", 1) != 0)
                || pylon_abi_type_canonical(b, t->fields[i]) != 0)
            {
                return -1;
            }
        }
        return pylon_buf_put(b, ")", 1);
    }
    return -1;
}
