/*
 * legacy.c: the table of old runtime-API layouts and a tiny compiler
 * from type expressions to registry types (see legacy.h).
 *
 * The tables below are the whole knowledge about old runtimes: struct
 * layouts as "field: type" lists, and which API method returns which
 * type inside its Vec<u8>.  Layouts are those of the subtensor runtime
 * of early 2025 (spec 218, pallets/subtensor/src/rpc_info), the same as
 * chain.md §4.2 except for the era's field names; each was checked
 * against the bytes the spec-218 runtime returns (t/test_codec_chain218.py)
 * and the spec-208 mainnet recordings.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chain/legacy.h"


typedef struct {
    const char  *name;
    const char  *fields;       /* "name: type, name: type" */
} pylon_legacy_struct_t;


typedef struct {
    const char  *api;
    const char  *method;
    const char  *type;         /* a leading '?' means empty Vec = None */
} pylon_legacy_api_t;


static const pylon_legacy_struct_t  pylon_legacy_structs[] = {

    { "AxonInfo",
      "block: u64, version: u32, ip: u128, port: u16, ip_type: u8, "
      "protocol: u8, placeholder1: u8, placeholder2: u8" },

    { "PrometheusInfo",
      "block: u64, version: u32, ip: u128, port: u16, ip_type: u8" },

    { "NeuronInfoLite",
      "hotkey: AccountId32, coldkey: AccountId32, uid: Compact<u16>, "
      "netuid: Compact<u16>, active: bool, axon_info: AxonInfo, "
      "prometheus_info: PrometheusInfo, "
      "stake: Vec<(AccountId32, Compact<u64>)>, rank: Compact<u16>, "
      "emission: Compact<u64>, incentive: Compact<u16>, "
      "consensus: Compact<u16>, trust: Compact<u16>, "
      "validator_trust: Compact<u16>, dividends: Compact<u16>, "
      "last_update: Compact<u64>, validator_permit: bool, "
      "pruning_score: Compact<u16>" },

    { "NeuronInfo",
      "hotkey: AccountId32, coldkey: AccountId32, uid: Compact<u16>, "
      "netuid: Compact<u16>, active: bool, axon_info: AxonInfo, "
      "prometheus_info: PrometheusInfo, "
      "stake: Vec<(AccountId32, Compact<u64>)>, rank: Compact<u16>, "
      "emission: Compact<u64>, incentive: Compact<u16>, "
      "consensus: Compact<u16>, trust: Compact<u16>, "
      "validator_trust: Compact<u16>, dividends: Compact<u16>, "
      "last_update: Compact<u64>, validator_permit: bool, "
      "weights: Vec<(Compact<u16>, Compact<u16>)>, "
      "bonds: Vec<(Compact<u16>, Compact<u16>)>, "
      "pruning_score: Compact<u16>" },

    { "SubnetHyperparams",
      "rho: Compact<u16>, kappa: Compact<u16>, "
      "immunity_period: Compact<u16>, min_allowed_weights: Compact<u16>, "
      "max_weights_limit: Compact<u16>, tempo: Compact<u16>, "
      "min_difficulty: Compact<u64>, max_difficulty: Compact<u64>, "
      "weights_version: Compact<u64>, weights_rate_limit: Compact<u64>, "
      "adjustment_interval: Compact<u16>, activity_cutoff: Compact<u16>, "
      "registration_allowed: bool, "
      "target_regs_per_interval: Compact<u16>, min_burn: Compact<u64>, "
      "max_burn: Compact<u64>, bonds_moving_avg: Compact<u64>, "
      "max_regs_per_block: Compact<u16>, "
      "serving_rate_limit: Compact<u64>, max_validators: Compact<u16>, "
      "adjustment_alpha: Compact<u64>, difficulty: Compact<u64>, "
      "commit_reveal_weights_interval: Compact<u64>, "
      "commit_reveal_weights_enabled: bool, alpha_high: Compact<u16>, "
      "alpha_low: Compact<u16>, liquid_alpha_enabled: bool" },

    { "SubnetState",
      "netuid: Compact<u16>, hotkeys: Vec<AccountId32>, "
      "coldkeys: Vec<AccountId32>, active: Vec<bool>, "
      "validator_permit: Vec<bool>, pruning_score: Vec<Compact<u16>>, "
      "last_update: Vec<Compact<u64>>, emission: Vec<Compact<u64>>, "
      "dividends: Vec<Compact<u16>>, incentives: Vec<Compact<u16>>, "
      "consensus: Vec<Compact<u16>>, trust: Vec<Compact<u16>>, "
      "rank: Vec<Compact<u16>>, block_at_registration: Vec<Compact<u64>>, "
      "alpha_stake: Vec<Compact<u64>>, tao_stake: Vec<Compact<u64>>, "
      "total_stake: Vec<Compact<u64>>, "
      "emission_history: Vec<Vec<Compact<u64>>>" },
};


static const pylon_legacy_api_t  pylon_legacy_apis[] = {
    { "NeuronInfoRuntimeApi", "get_neurons_lite", "Vec<NeuronInfoLite>" },
    { "NeuronInfoRuntimeApi", "get_neuron_lite", "?NeuronInfoLite" },
    { "NeuronInfoRuntimeApi", "get_neurons", "Vec<NeuronInfo>" },
    { "NeuronInfoRuntimeApi", "get_neuron", "?NeuronInfo" },
    { "SubnetInfoRuntimeApi", "get_subnet_hyperparams", "?SubnetHyperparams" },
    /* this one wraps a real Option (None is the one byte 00) */
    { "SubnetInfoRuntimeApi", "get_subnet_state", "Option<SubnetState>" },
};


#define PYLON_LEGACY_NAPIS                                                   \
    (sizeof(pylon_legacy_apis) / sizeof(pylon_legacy_apis[0]))


static pylon_meta_t  *pylon_legacy_reg;
static int64_t        pylon_legacy_api_ids[PYLON_LEGACY_NAPIS];


typedef struct {
    pylon_meta_t  *reg;
    const char    *p;
} pylon_lc_t;


static int64_t pylon_lc_type(pylon_lc_t *lc);


static void
pylon_lc_space(pylon_lc_t *lc)
{
    while (isspace((unsigned char) *lc->p)) {
        lc->p++;
    }
}


static int
pylon_lc_eat(pylon_lc_t *lc, char ch)
{
    pylon_lc_space(lc);

    if (*lc->p != ch) {
        return -1;
    }

    lc->p++;

    return 0;
}


static size_t
pylon_lc_ident(pylon_lc_t *lc, const char **start)
{
    size_t  n;

    pylon_lc_space(lc);
    *start = lc->p;

    for (n = 0; isalnum((unsigned char) lc->p[n]) || lc->p[n] == '_'; n++) {
        /* void */
    }

    lc->p += n;

    return n;
}


static int64_t
pylon_lc_add(pylon_lc_t *lc, pylon_meta_type_t *t)
{
    return pylon_meta_add_type(lc->reg, t);
}


static int64_t
pylon_lc_primitive(pylon_lc_t *lc, const char *name, size_t n)
{
    static const char  *prims[PYLON_PRIM_COUNT] = {
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "u256",
        "i8", "i16", "i32", "i64", "i128", "i256"
    };

    pylon_meta_type_t  t;
    unsigned           i;

    for (i = 0; i < PYLON_PRIM_COUNT; i++) {
        if (strlen(prims[i]) == n && strncmp(prims[i], name, n) == 0) {
            memset(&t, 0, sizeof(t));
            t.kind = PYLON_TYPE_PRIMITIVE;
            t.prim = (uint8_t) i;
            return pylon_lc_add(lc, &t);
        }
    }

    return -1;
}


static int64_t
pylon_lc_account(pylon_lc_t *lc)
{
    pylon_meta_type_t    t;
    pylon_meta_field_t  *f;
    int64_t              u8, arr;

    u8 = pylon_lc_primitive(lc, "u8", 2);
    if (u8 < 0) {
        return -1;
    }

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_ARRAY;
    t.u.array.len = 32;
    t.u.array.type = (uint32_t) u8;

    arr = pylon_lc_add(lc, &t);
    f = pylon_meta_alloc(lc->reg, sizeof(pylon_meta_field_t));
    if (arr < 0 || f == NULL) {
        return -1;
    }

    f->type = (uint32_t) arr;

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_COMPOSITE;
    t.path = "AccountId32";
    t.name = "AccountId32";
    t.u.composite.fields = f;
    t.u.composite.n = 1;

    return pylon_lc_add(lc, &t);
}


static int64_t
pylon_lc_option(pylon_lc_t *lc, int64_t inner)
{
    pylon_meta_type_t     t;
    pylon_meta_variant_t  *v;
    pylon_meta_field_t    *f;

    v = pylon_meta_alloc(lc->reg, 2 * sizeof(pylon_meta_variant_t));
    f = pylon_meta_alloc(lc->reg, sizeof(pylon_meta_field_t));
    if (v == NULL || f == NULL) {
        return -1;
    }

    f->type = (uint32_t) inner;
    v[0].name = "None";
    v[0].index = 0;
    v[1].name = "Some";
    v[1].index = 1;
    v[1].fields = f;
    v[1].nfields = 1;

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_VARIANT;
    t.path = "Option";
    t.name = "Option";
    t.u.variant.variants = v;
    t.u.variant.n = 2;

    return pylon_lc_add(lc, &t);
}


static int64_t
pylon_lc_tuple(pylon_lc_t *lc)
{
    pylon_meta_type_t  t;
    uint32_t           ids[16];
    uint32_t           n;
    int64_t            id;

    n = 0;

    pylon_lc_space(lc);
    if (*lc->p != ')') {
        for ( ;; ) {
            id = pylon_lc_type(lc);
            if (id < 0 || n == 16) {
                return -1;
            }
            ids[n++] = (uint32_t) id;

            if (pylon_lc_eat(lc, ',') != 0) {
                break;
            }
        }
    }

    if (pylon_lc_eat(lc, ')') != 0) {
        return -1;
    }

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_TUPLE;
    t.u.tuple.n = n;
    t.u.tuple.types = pylon_meta_alloc(lc->reg, (n ? n : 1) * sizeof(uint32_t));
    if (t.u.tuple.types == NULL) {
        return -1;
    }

    memcpy(t.u.tuple.types, ids, n * sizeof(uint32_t));

    return pylon_lc_add(lc, &t);
}


static int64_t
pylon_lc_array(pylon_lc_t *lc)
{
    pylon_meta_type_t  t;
    unsigned long      len;
    int64_t            elem;
    char              *end;

    elem = pylon_lc_type(lc);
    if (elem < 0 || pylon_lc_eat(lc, ';') != 0) {
        return -1;
    }

    pylon_lc_space(lc);
    len = strtoul(lc->p, &end, 10);
    if (end == lc->p || len > UINT32_MAX) {
        return -1;
    }

    lc->p = end;
    if (pylon_lc_eat(lc, ']') != 0) {
        return -1;
    }

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_ARRAY;
    t.u.array.len = (uint32_t) len;
    t.u.array.type = (uint32_t) elem;

    return pylon_lc_add(lc, &t);
}


static int64_t
pylon_lc_type(pylon_lc_t *lc)
{
    pylon_meta_type_t  t;
    const char        *name;
    size_t             n;
    int64_t            inner, id;
    char               buf[64];

    pylon_lc_space(lc);

    if (*lc->p == '(') {
        lc->p++;
        return pylon_lc_tuple(lc);
    }

    if (*lc->p == '[') {
        lc->p++;
        return pylon_lc_array(lc);
    }

    n = pylon_lc_ident(lc, &name);
    if (n == 0 || n >= sizeof(buf)) {
        return -1;
    }

    pylon_lc_space(lc);

    if (*lc->p == '<') {
        lc->p++;

        inner = pylon_lc_type(lc);
        if (inner < 0 || pylon_lc_eat(lc, '>') != 0) {
            return -1;
        }

        if (n == 6 && strncmp(name, "Option", 6) == 0) {
            return pylon_lc_option(lc, inner);
        }

        memset(&t, 0, sizeof(t));
        t.u.elem.type = (uint32_t) inner;

        if (n == 7 && strncmp(name, "Compact", 7) == 0) {
            t.kind = PYLON_TYPE_COMPACT;

        } else if (n == 3 && strncmp(name, "Vec", 3) == 0) {
            t.kind = PYLON_TYPE_SEQUENCE;

        } else {
            return -1;
        }

        return pylon_lc_add(lc, &t);
    }

    if (n == 11 && strncmp(name, "AccountId32", 11) == 0) {
        return pylon_lc_account(lc);
    }

    id = pylon_lc_primitive(lc, name, n);
    if (id >= 0) {
        return id;
    }

    memcpy(buf, name, n);
    buf[n] = '\0';

    return pylon_meta_type_find(lc->reg, buf);
}


int64_t
pylon_legacy_compile(pylon_meta_t *reg, const char *expr)
{
    pylon_lc_t  lc;
    int64_t     id;

    lc.reg = reg;
    lc.p = expr;

    id = pylon_lc_type(&lc);
    pylon_lc_space(&lc);

    return (id >= 0 && *lc.p == '\0') ? id : -1;
}


/* a named composite from "name: type, ..." */
static int64_t
pylon_legacy_struct(pylon_meta_t *reg, const pylon_legacy_struct_t *s)
{
    pylon_meta_type_t    t;
    pylon_meta_field_t   fields[32];
    pylon_lc_t           lc;
    const char          *name;
    uint32_t             n;
    size_t               len;
    int64_t              id;

    lc.reg = reg;
    lc.p = s->fields;
    n = 0;

    for ( ;; ) {
        len = pylon_lc_ident(&lc, &name);
        if (len == 0 || n == 32 || pylon_lc_eat(&lc, ':') != 0) {
            return -1;
        }

        fields[n].name = pylon_meta_strdup(reg, name, len);
        fields[n].type_name = NULL;

        id = pylon_lc_type(&lc);
        if (id < 0 || fields[n].name == NULL) {
            return -1;
        }

        fields[n++].type = (uint32_t) id;

        if (pylon_lc_eat(&lc, ',') != 0) {
            break;
        }
    }

    pylon_lc_space(&lc);
    if (*lc.p != '\0') {
        return -1;
    }

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_COMPOSITE;
    t.path = s->name;
    t.name = s->name;
    t.u.composite.n = n;
    t.u.composite.fields = pylon_meta_alloc(reg, n * sizeof(fields[0]));
    if (t.u.composite.fields == NULL) {
        return -1;
    }

    memcpy(t.u.composite.fields, fields, n * sizeof(fields[0]));

    return pylon_meta_add_type(reg, &t);
}


const pylon_meta_t *
pylon_legacy_registry(void)
{
    pylon_meta_t  *reg;
    const char    *expr;
    size_t         i;

    if (pylon_legacy_reg != NULL) {
        return pylon_legacy_reg;
    }

    reg = pylon_meta_new();
    if (reg == NULL) {
        return NULL;
    }

    for (i = 0; i < sizeof(pylon_legacy_structs)
                    / sizeof(pylon_legacy_structs[0]); i++)
    {
        if (pylon_legacy_struct(reg, &pylon_legacy_structs[i]) < 0) {
            goto failed;
        }
    }

    for (i = 0; i < PYLON_LEGACY_NAPIS; i++) {
        expr = pylon_legacy_apis[i].type;
        if (*expr == '?') {
            expr++;
        }

        pylon_legacy_api_ids[i] = pylon_legacy_compile(reg, expr);
        if (pylon_legacy_api_ids[i] < 0) {
            goto failed;
        }
    }

    pylon_legacy_reg = reg;

    return reg;

failed:

    pylon_meta_free(reg);

    return NULL;
}


int64_t
pylon_legacy_api_type(const char *api, const char *method,
    int *empty_is_null)
{
    size_t  i;

    if (pylon_legacy_registry() == NULL) {
        return -1;
    }

    for (i = 0; i < PYLON_LEGACY_NAPIS; i++) {
        if (strcmp(pylon_legacy_apis[i].api, api) == 0
            && strcmp(pylon_legacy_apis[i].method, method) == 0)
        {
            *empty_is_null = pylon_legacy_apis[i].type[0] == '?';
            return pylon_legacy_api_ids[i];
        }
    }

    return -1;
}


int64_t
pylon_legacy_type(const char *name)
{
    const pylon_meta_t  *reg;

    reg = pylon_legacy_registry();

    return reg ? pylon_meta_type_find(reg, name) : -1;
}


void
pylon_legacy_cleanup(void)
{
    pylon_meta_free(pylon_legacy_reg);
    pylon_legacy_reg = NULL;
}
