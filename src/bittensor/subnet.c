/*
 * subnet.c: Pylon's subnet bodies from raw chain answers (see subnet.h).
 *
 * One pass decodes every neuron into a small row (hotkey, total stake,
 * permit) and renders its Neuron JSON into one shared buffer; the bodies
 * are then assembled from those pieces: neurons in uid order, validators
 * from the same pieces in stake order.  Stakes come from the subnet state,
 * read once into arrays and looked up by hotkey (index i holds uid i on
 * every runtime we know, so the lookup tries i first and scans only when
 * that hotkey differs).
 * Commitments and certificates are decoded from their storage values with
 * the metadata's value types; the hotkey is the key's last 32 bytes (both
 * hashers of the second key keep it in clear).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bittensor/subnet.h"
#include "bittensor/pyfloat.h"
#include "chain/hex.h"
#include "chain/legacy.h"
#include "chain/runtime_api.h"
#include "chain/scale.h"
#include "chain/ss58.h"
#include "chain/storage.h"
#include "chain/value.h"
#include "store/keys.h"


#define PYLON_RAO  1e9


typedef struct {
    char            ss58[PYLON_SS58_MAX_CHARS];
    size_t          off;        /* its Neuron JSON in the pieces buffer */
    size_t          len;
    double          total;
    int             permit;
} pylon_subnet_row_t;


typedef struct {
    double          total;
    size_t          index;
} pylon_subnet_rank_t;


typedef struct {
    const uint8_t **hotkeys;    /* n AccountIds, pointing into the input */
    uint64_t       *stakes;     /* n × (alpha, tao, total) */
    size_t          n;
} pylon_subnet_state_t;


/*
 * The fields of NeuronInfoLite read here, and of its axon_info.  Every
 * neuron of a result has the same type, so the field positions are
 * looked up once (pylon_subnet_plan) and each neuron is split in one walk
 * (pylon_val_split) instead of one walk per field.
 */

enum {
    PYLON_NF_HOTKEY = 0, PYLON_NF_COLDKEY, PYLON_NF_UID, PYLON_NF_ACTIVE,
    PYLON_NF_PERMIT, PYLON_NF_AXON, PYLON_NF_STAKE, PYLON_NF_RANK,
    PYLON_NF_EMISSION, PYLON_NF_INCENTIVE, PYLON_NF_CONSENSUS,
    PYLON_NF_TRUST, PYLON_NF_VTRUST, PYLON_NF_DIVIDENDS,
    PYLON_NF_LAST_UPDATE, PYLON_NF_PRUNING, PYLON_NF_COUNT
};

enum {
    PYLON_AF_IP = 0, PYLON_AF_PORT, PYLON_AF_PROTOCOL, PYLON_AF_COUNT
};

#define PYLON_SPLIT_MAX  64

static const char  *pylon_subnet_nf[PYLON_NF_COUNT] = {
    "hotkey", "coldkey", "uid", "active", "validator_permit", "axon_info",
    "stake", "rank", "emission", "incentive", "consensus", "trust",
    "validator_trust", "dividends", "last_update", "pruning_score"
};

static const char  *pylon_subnet_af[PYLON_AF_COUNT] = {
    "ip", "port", "protocol"
};


typedef struct {
    const pylon_meta_t  *m;
    uint32_t             type;          /* the neuron's */
    uint32_t             axon_type;
    size_t               nf[PYLON_NF_COUNT];
    size_t               af[PYLON_AF_COUNT];
    int                  state;         /* 0 unset, 1 ready, -1 by name */
} pylon_subnet_plan_t;


static int pylon_subnet_neurons(pylon_buf_t *pieces,
    pylon_subnet_row_t **rows, size_t *nrows, const pylon_subnet_input_t *in,
    const pylon_subnet_state_t *st, char *err, size_t errlen);
static int pylon_subnet_state(pylon_subnet_state_t *st,
    const pylon_subnet_input_t *in, char *err, size_t errlen);
static const pylon_meta_t *pylon_subnet_legacy(uint32_t *type);
static int pylon_subnet_stakes(const pylon_subnet_state_t *st,
    const uint8_t *hotkey, size_t i, uint64_t out[3]);
static int pylon_subnet_neuron(pylon_buf_t *b, pylon_subnet_row_t *row,
    pylon_subnet_plan_t *pl, const pylon_val_t *n,
    const pylon_subnet_state_t *st, size_t i);
static int pylon_subnet_commitments(const pylon_subnet_input_t *in,
    const pylon_subnet_state_t *st,
    pylon_subnet_put_pt put, void *data, char *err, size_t errlen);
static int pylon_subnet_certificates(const pylon_subnet_input_t *in,
    pylon_subnet_put_pt put, void *data, char *err, size_t errlen);
static int pylon_subnet_data(const uint8_t **p, size_t *n, int *tle,
    uint64_t *round, const pylon_val_t *fields);
static int pylon_subnet_hotkey(char *ss58, const pylon_subnet_kv_t *kv);
static void pylon_subnet_block(pylon_buf_t *b,
    const pylon_subnet_input_t *in);
static void pylon_subnet_float(pylon_buf_t *b, double d);
static void pylon_subnet_uint(pylon_buf_t *b, uint64_t v);
static void pylon_subnet_ip(pylon_buf_t *b, pylon_u128_t ip);
static void pylon_subnet_lit(pylon_buf_t *b, const char *s);
static void pylon_subnet_hex(pylon_buf_t *b, const uint8_t *p, size_t n,
    int prefix);
static int pylon_subnet_cmp(const void *a, const void *b);
static uint64_t pylon_subnet_field_uint(const pylon_val_t *f, int *bad);


/* spec-218 era layout of SubnetState (the runtime API returns Vec<u8>) */

static const char  *pylon_subnet_state_fields[][2] = {
    { "netuid", "Compact<u16>" },
    { "hotkeys", "Vec<AccountId32>" },
    { "coldkeys", "Vec<AccountId32>" },
    { "active", "Vec<bool>" },
    { "validator_permit", "Vec<bool>" },
    { "pruning_score", "Vec<Compact<u16>>" },
    { "last_update", "Vec<Compact<u64>>" },
    { "emission", "Vec<Compact<u64>>" },
    { "dividends", "Vec<Compact<u16>>" },
    { "incentives", "Vec<Compact<u16>>" },
    { "consensus", "Vec<Compact<u16>>" },
    { "trust", "Vec<Compact<u16>>" },
    { "rank", "Vec<Compact<u16>>" },
    { "block_at_registration", "Vec<Compact<u64>>" },
    { "alpha_stake", "Vec<Compact<u64>>" },
    { "tao_stake", "Vec<Compact<u64>>" },
    { "total_stake", "Vec<Compact<u64>>" },
    { "emission_history", "Vec<Vec<Compact<u64>>>" },
};

#define PYLON_SUBNET_NSTATE                                                  \
    (sizeof(pylon_subnet_state_fields) / sizeof(pylon_subnet_state_fields[0]))


static pylon_meta_t  *pylon_subnet_reg;
static uint32_t       pylon_subnet_opt_state;


int
pylon_subnet_render(const pylon_subnet_input_t *in, pylon_subnet_put_pt put,
    void *data, char *err, size_t errlen)
{
    int                    rc;
    size_t                 i, n, nrows;
    pylon_buf_t            pieces, body;
    pylon_subnet_row_t    *rows, *r;
    pylon_subnet_rank_t   *rank;
    pylon_subnet_state_t   st;

    rc = -1;
    rows = NULL;
    rank = NULL;
    nrows = 0;
    memset(&st, 0, sizeof(st));

    pylon_buf_init(&pieces);
    pylon_buf_init(&body);

    if (pylon_subnet_state(&st, in, err, errlen) != 0
        || pylon_subnet_neurons(&pieces, &rows, &nrows, in, &st, err, errlen)
           != 0)
    {
        goto done;
    }

    /* SubnetNeurons: hotkey -> Neuron in uid order */

    pylon_subnet_lit(&body, "{\"block\":");
    pylon_subnet_block(&body, in);
    pylon_subnet_lit(&body, ",\"neurons\":{");

    for (i = 0; i < nrows; i++) {
        r = &rows[i];
        pylon_subnet_lit(&body, i ? ",\"" : "\"");
        pylon_subnet_lit(&body, r->ss58);
        pylon_subnet_lit(&body, "\":");
        pylon_buf_put(&body, pieces.data + r->off, r->len);
    }

    pylon_subnet_lit(&body, "}}");

    if (body.err) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    if (put(data, PYLON_ROUTE_NEURONS, NULL, body.data, body.len) != 0) {
        snprintf(err, errlen, "storing neurons failed");
        goto done;
    }

    /* SubnetValidators: permit holders, stable-sorted by total desc */

    rank = malloc((nrows ? nrows : 1) * sizeof(pylon_subnet_rank_t));
    if (rank == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    for (i = 0, n = 0; i < nrows; i++) {
        if (rows[i].permit) {
            rank[n].total = rows[i].total;
            rank[n].index = i;
            n++;
        }
    }

    qsort(rank, n, sizeof(pylon_subnet_rank_t), pylon_subnet_cmp);

    body.len = 0;
    pylon_subnet_lit(&body, "{\"block\":");
    pylon_subnet_block(&body, in);
    pylon_subnet_lit(&body, ",\"validators\":[");

    for (i = 0; i < n; i++) {
        r = &rows[rank[i].index];
        if (i) {
            pylon_subnet_lit(&body, ",");
        }
        pylon_buf_put(&body, pieces.data + r->off, r->len);
    }

    pylon_subnet_lit(&body, "]}");

    if (body.err) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    if (put(data, PYLON_ROUTE_VALIDATORS, NULL, body.data, body.len) != 0) {
        snprintf(err, errlen, "storing validators failed");
        goto done;
    }

    if (pylon_subnet_commitments(in, &st, put, data, err, errlen) != 0
        || pylon_subnet_certificates(in, put, data, err, errlen) != 0)
    {
        goto done;
    }

    rc = 0;

done:

    free(st.hotkeys);
    free(st.stakes);
    free(rows);
    free(rank);
    pylon_buf_free(&pieces);
    pylon_buf_free(&body);

    return rc;
}


int
pylon_subnet_prefix(char *out, size_t outlen, const pylon_meta_t *m,
    const char *pallet, const char *item, uint16_t netuid)
{
    int            rc;
    uint8_t        nu[2];
    pylon_buf_t    b;
    pylon_bytes_t  part;
    char           err[64];

    nu[0] = (uint8_t) (netuid & 0xff);
    nu[1] = (uint8_t) (netuid >> 8);
    part.data = nu;
    part.len = 2;

    pylon_buf_init(&b);

    rc = -1;

    if (pylon_storage_key(&b, m, pallet, item, &part, 1, err, sizeof(err))
        == 0
        && b.len == PYLON_SUBNET_PREFIX_BYTES
        && pylon_hex_encode(out, outlen, b.data, b.len) > 0)
    {
        rc = 0;
    }

    pylon_buf_free(&b);

    return rc;
}


static int
pylon_subnet_neurons(pylon_buf_t *pieces, pylon_subnet_row_t **rows,
    size_t *nrows, const pylon_subnet_input_t *in,
    const pylon_subnet_state_t *st, char *err, size_t errlen)
{
    size_t               n, i;
    pylon_val_t          neurons, nv;
    pylon_val_iter_t     it;
    pylon_subnet_plan_t  plan;

    memset(&plan, 0, sizeof(plan));
    *rows = NULL;
    *nrows = 0;

    if (in->neurons == NULL || in->neurons_len == 0) {
        return 0;
    }

    switch (pylon_runtime_api_value(&neurons, in->meta,
                                    "NeuronInfoRuntimeApi",
                                    "get_neurons_lite", in->neurons,
                                    in->neurons_len, err, errlen))
    {
    case 0:
        break;
    case 1:
        return 0;
    default:
        return -1;
    }

    if (pylon_val_count(&n, &neurons) != 0
        || pylon_val_iter(&it, &neurons) != 0)
    {
        snprintf(err, errlen, "neurons: not a sequence");
        return -1;
    }

    if (n == 0) {
        return 0;
    }

    *rows = calloc(n, sizeof(pylon_subnet_row_t));
    if (*rows == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (pylon_val_next(&it, &nv) != 1
            || pylon_subnet_neuron(pieces, &(*rows)[i], &plan, &nv, st, i)
               != 0)
        {
            snprintf(err, errlen, "neurons: malformed neuron %zu", i);
            return -1;
        }
    }

    if (pieces->err) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    *nrows = n;

    return 0;
}


/* the subnet state's stake columns; absent state = no stakes */

/* hotkeys, alpha_stake, tao_stake, total_stake of SubnetState: one walk */
static int
pylon_subnet_columns(pylon_val_t *cols, const pylon_val_t *state)
{
    size_t        k, at, n;
    pylon_val_t   all[PYLON_SPLIT_MAX];

    static const char  *names[4] = {
        "hotkeys", "alpha_stake", "tao_stake", "total_stake"
    };

    if (pylon_val_split(all, PYLON_SPLIT_MAX, &n, state) == 0) {
        for (k = 0; k < 4; k++) {
            if (pylon_val_field_index(&at, state, names[k]) != 0 || at >= n) {
                break;
            }
            cols[k] = all[at];
        }

        if (k == 4) {
            return 0;
        }
    }

    for (k = 0; k < 4; k++) {
        if (pylon_val_field(&cols[k], state, names[k]) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
pylon_subnet_state(pylon_subnet_state_t *st, const pylon_subnet_input_t *in,
    char *err, size_t errlen)
{
    int                  rc;
    size_t               n, i, k;
    uint32_t             type;
    pylon_val_t          v, inner, cols[4], e;
    pylon_val_iter_t     it;
    const uint8_t       *p;
    const pylon_meta_t  *reg;

    memset(st, 0, sizeof(pylon_subnet_state_t));

    if (in->state == NULL || in->state_len == 0) {
        return 0;
    }

    rc = pylon_runtime_api_value(&v, in->meta, "SubnetInfoRuntimeApi",
                                 "get_subnet_state", in->state,
                                 in->state_len, err, errlen);
    if (rc == 1) {
        return 0;
    }

    if (rc != 0) {
        return -1;
    }

    if (in->meta->types[v.type].kind == PYLON_TYPE_SEQUENCE
        && pylon_val_bytes(&p, &n, &v) == 0)
    {
        /* an old runtime: Vec<u8> holding Option<SubnetState> */

        if (n == 0) {
            return 0;
        }

        reg = pylon_subnet_legacy(&type);
        if (reg == NULL || pylon_val_init(&v, reg, type, p, n) != 0) {
            snprintf(err, errlen, "subnet state: malformed legacy bytes");
            return -1;
        }
    }

    rc = pylon_val_option(&inner, &v);
    if (rc == 0) {
        return 0;
    }

    if (rc < 0) {
        inner = v;
    }

    if (pylon_subnet_columns(cols, &inner) != 0
        || pylon_val_count(&st->n, &cols[0]) != 0)
    {
        snprintf(err, errlen, "subnet state: unexpected shape");
        return -1;
    }

    for (k = 1; k < 4; k++) {
        if (pylon_val_count(&n, &cols[k]) != 0 || n != st->n) {
            snprintf(err, errlen, "subnet state: columns differ in length");
            return -1;
        }
    }

    if (st->n == 0) {
        return 0;
    }

    st->hotkeys = malloc(st->n * sizeof(uint8_t *));
    st->stakes = malloc(st->n * 3 * sizeof(uint64_t));
    if (st->hotkeys == NULL || st->stakes == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    /* one pass per column: elements are read in order, never by index */

    for (k = 0; k < 4; k++) {
        if (pylon_val_iter(&it, &cols[k]) != 0) {
            goto bad;
        }

        for (i = 0; i < st->n; i++) {
            if (pylon_val_next(&it, &e) != 1) {
                goto bad;
            }

            if (k == 0) {
                if (pylon_val_bytes(&p, &n, &e) != 0 || n != 32) {
                    goto bad;
                }
                st->hotkeys[i] = p;

            } else if (pylon_val_uint(&st->stakes[3 * i + k - 1], &e) != 0) {
                goto bad;
            }
        }
    }

    return 0;

bad:

    snprintf(err, errlen, "subnet state: malformed column");

    return -1;
}


/* the registry of the legacy SubnetState, built once */

static const pylon_meta_t *
pylon_subnet_legacy(uint32_t *type)
{
    size_t                i;
    int64_t               id;
    pylon_meta_t         *reg;
    pylon_meta_type_t     t;
    pylon_meta_field_t   *fields;

    if (pylon_subnet_reg != NULL) {
        *type = pylon_subnet_opt_state;
        return pylon_subnet_reg;
    }

    reg = pylon_meta_new();
    if (reg == NULL) {
        return NULL;
    }

    fields = pylon_meta_alloc(reg, PYLON_SUBNET_NSTATE
                                   * sizeof(pylon_meta_field_t));
    if (fields == NULL) {
        goto failed;
    }

    for (i = 0; i < PYLON_SUBNET_NSTATE; i++) {
        id = pylon_legacy_compile(reg, pylon_subnet_state_fields[i][1]);
        if (id < 0) {
            goto failed;
        }
        fields[i].name = pylon_subnet_state_fields[i][0];
        fields[i].type_name = pylon_subnet_state_fields[i][1];
        fields[i].type = (uint32_t) id;
    }

    memset(&t, 0, sizeof(t));
    t.kind = PYLON_TYPE_COMPOSITE;
    t.named = 1;
    t.path = "SubnetState";
    t.name = "SubnetState";
    t.u.composite.fields = fields;
    t.u.composite.n = PYLON_SUBNET_NSTATE;

    if (pylon_meta_add_type(reg, &t) < 0) {
        goto failed;
    }

    id = pylon_legacy_compile(reg, "Option<SubnetState>");
    if (id < 0) {
        goto failed;
    }

    pylon_subnet_reg = reg;
    pylon_subnet_opt_state = (uint32_t) id;
    *type = (uint32_t) id;

    return reg;

failed:

    pylon_meta_free(reg);

    return NULL;
}


/* alpha, tao, total (rao) of hotkey, 0 when it is not in the state */

static int
pylon_subnet_stakes(const pylon_subnet_state_t *st, const uint8_t *hotkey,
    size_t i, uint64_t out[3])
{
    size_t  k;

    out[0] = out[1] = out[2] = 0;

    if (i < st->n && memcmp(st->hotkeys[i], hotkey, 32) == 0) {
        memcpy(out, &st->stakes[3 * i], 3 * sizeof(uint64_t));
        return 0;
    }

    for (k = 0; k < st->n; k++) {
        if (memcmp(st->hotkeys[k], hotkey, 32) == 0) {
            memcpy(out, &st->stakes[3 * k], 3 * sizeof(uint64_t));
            return 0;
        }
    }

    return 0;
}




/* the field positions of v's type (and of its axon_info's type) */
static void
pylon_subnet_plan(pylon_subnet_plan_t *pl, const pylon_val_t *v)
{
    size_t       k;
    pylon_val_t  axon;

    pl->m = v->m;
    pl->type = v->type;
    pl->state = -1;

    for (k = 0; k < PYLON_NF_COUNT; k++) {
        if (pylon_val_field_index(&pl->nf[k], v, pylon_subnet_nf[k]) != 0
            || pl->nf[k] >= PYLON_SPLIT_MAX)
        {
            return;
        }
    }

    if (pylon_val_field(&axon, v, "axon_info") != 0) {
        return;
    }

    pl->axon_type = axon.type;

    for (k = 0; k < PYLON_AF_COUNT; k++) {
        if (pylon_val_field_index(&pl->af[k], &axon, pylon_subnet_af[k])
            != 0 || pl->af[k] >= PYLON_SPLIT_MAX)
        {
            return;
        }
    }

    pl->state = 1;
}


/* the wanted fields of one neuron: split by the plan, else by name */
static int
pylon_subnet_neuron_fields(pylon_val_t *nf, pylon_val_t *af,
    pylon_subnet_plan_t *pl, const pylon_val_t *n)
{
    size_t       k, cnt;
    pylon_val_t  all[PYLON_SPLIT_MAX];

    if (pl->state == 0 || pl->m != n->m || pl->type != n->type) {
        pylon_subnet_plan(pl, n);
    }

    if (pl->state == 1
        && pylon_val_split(all, PYLON_SPLIT_MAX, &cnt, n) == 0)
    {
        for (k = 0; k < PYLON_NF_COUNT; k++) {
            nf[k] = all[pl->nf[k]];
        }

        if (nf[PYLON_NF_AXON].type == pl->axon_type
            && pylon_val_split(all, PYLON_SPLIT_MAX, &cnt,
                               &nf[PYLON_NF_AXON]) == 0)
        {
            for (k = 0; k < PYLON_AF_COUNT; k++) {
                af[k] = all[pl->af[k]];
            }

            return 0;
        }
    }

    for (k = 0; k < PYLON_NF_COUNT; k++) {
        if (pylon_val_field(&nf[k], n, pylon_subnet_nf[k]) != 0) {
            return -1;
        }
    }

    for (k = 0; k < PYLON_AF_COUNT; k++) {
        if (pylon_val_field(&af[k], &nf[PYLON_NF_AXON], pylon_subnet_af[k])
            != 0)
        {
            return -1;
        }
    }

    return 0;
}


static uint64_t
pylon_subnet_field_uint(const pylon_val_t *f, int *bad)
{
    uint64_t  u;

    if (pylon_val_uint(&u, f) != 0) {
        *bad = 1;
        return 0;
    }

    return u;
}


static int
pylon_subnet_neuron(pylon_buf_t *b, pylon_subnet_row_t *row,
    pylon_subnet_plan_t *pl, const pylon_val_t *n,
    const pylon_subnet_state_t *st, size_t i)
{
    int             bad, active, permit;
    size_t          len;
    uint64_t        stakes[3], stake, port, protocol;
    pylon_u128_t    ip;
    pylon_val_t     nf[PYLON_NF_COUNT], af[PYLON_AF_COUNT], e;
    const uint8_t  *hotkey, *coldkey;
    char            cold[PYLON_SS58_MAX_CHARS];

    static const int  scores[] = {
        PYLON_NF_RANK, PYLON_NF_EMISSION, PYLON_NF_INCENTIVE,
        PYLON_NF_CONSENSUS, PYLON_NF_TRUST, PYLON_NF_VTRUST,
        PYLON_NF_DIVIDENDS
    };

    bad = 0;

    if (pylon_subnet_neuron_fields(nf, af, pl, n) != 0
        || pylon_val_bytes(&hotkey, &len, &nf[PYLON_NF_HOTKEY]) != 0
        || len != 32
        || pylon_val_bytes(&coldkey, &len, &nf[PYLON_NF_COLDKEY]) != 0
        || len != 32
        || pylon_val_bool(&active, &nf[PYLON_NF_ACTIVE]) != 0
        || pylon_val_bool(&permit, &nf[PYLON_NF_PERMIT]) != 0
        || pylon_val_u128(&ip, &af[PYLON_AF_IP]) != 0)
    {
        return -1;
    }

    port = pylon_subnet_field_uint(&af[PYLON_AF_PORT], &bad);
    protocol = pylon_subnet_field_uint(&af[PYLON_AF_PROTOCOL], &bad);

    /* stake: the first entry of the (coldkey, alpha) list */

    stake = 0;

    if (pylon_val_index(&e, &nf[PYLON_NF_STAKE], 0) == 0) {
        if (pylon_val_index(&e, &e, 1) != 0
            || pylon_val_uint(&stake, &e) != 0)
        {
            return -1;
        }
    }

    if (pylon_subnet_stakes(st, hotkey, i, stakes) != 0) {
        return -1;
    }

    if (pylon_ss58_encode(row->ss58, sizeof(row->ss58), hotkey,
                          PYLON_SS58_PREFIX) < 0
        || pylon_ss58_encode(cold, sizeof(cold), coldkey, PYLON_SS58_PREFIX)
           < 0)
    {
        return -1;
    }

    row->off = b->len;
    row->permit = permit;
    row->total = (double) stakes[2] / PYLON_RAO;

    pylon_subnet_lit(b, "{\"uid\":");
    pylon_subnet_uint(b, pylon_subnet_field_uint(&nf[PYLON_NF_UID], &bad));
    pylon_subnet_lit(b, ",\"coldkey\":\"");
    pylon_subnet_lit(b, cold);
    pylon_subnet_lit(b, "\",\"hotkey\":\"");
    pylon_subnet_lit(b, row->ss58);
    pylon_subnet_lit(b, active ? "\",\"active\":true" : "\",\"active\":false");
    pylon_subnet_lit(b, ",\"axon_info\":{\"ip\":\"");
    pylon_subnet_ip(b, ip);
    pylon_subnet_lit(b, "\",\"port\":");
    pylon_subnet_uint(b, port);
    pylon_subnet_lit(b, ",\"protocol\":");
    pylon_subnet_uint(b, protocol);
    pylon_subnet_lit(b, "},\"stake\":");
    pylon_subnet_float(b, (double) stake / PYLON_RAO);

    for (i = 0; i < sizeof(scores) / sizeof(scores[0]); i++) {
        pylon_subnet_lit(b, ",\"");
        pylon_subnet_lit(b, pylon_subnet_nf[scores[i]]);
        pylon_subnet_lit(b, "\":");

        if (scores[i] == PYLON_NF_EMISSION) {
            pylon_subnet_float(b, (double) pylon_subnet_field_uint(
                                     &nf[scores[i]], &bad) / PYLON_RAO);
            continue;
        }

        pylon_subnet_float(b, (double) pylon_subnet_field_uint(
                                 &nf[scores[i]], &bad) / 65535.0);
    }

    pylon_subnet_lit(b, ",\"last_update\":");
    pylon_subnet_uint(b, pylon_subnet_field_uint(&nf[PYLON_NF_LAST_UPDATE],
                                                 &bad));
    pylon_subnet_lit(b, permit ? ",\"validator_permit\":true"
                               : ",\"validator_permit\":false");
    pylon_subnet_lit(b, ",\"pruning_score\":");
    pylon_subnet_uint(b, pylon_subnet_field_uint(&nf[PYLON_NF_PRUNING],
                                                 &bad));
    pylon_subnet_lit(b, ",\"stakes\":{\"alpha\":");
    pylon_subnet_float(b, (double) stakes[0] / PYLON_RAO);
    pylon_subnet_lit(b, ",\"tao\":");
    pylon_subnet_float(b, (double) stakes[1] / PYLON_RAO);
    pylon_subnet_lit(b, ",\"total\":");
    pylon_subnet_float(b, row->total);
    pylon_subnet_lit(b, "}}");

    row->len = b->len - row->off;

    return bad ? -1 : 0;
}


/*
 * Commitments.CommitmentOf (spec/pylon-v2.md §3.3.8).  The first Data
 * field of an entry is hex_data (Raw*, a hash) or timelock_encrypted
 * ({encrypted, reveal_round}); other kinds are left out.
 *
 *   commitments        v1 {hotkey: "0x.."}: hex_data of registered hotkeys
 *   commitments_full   _unstable {hotkey: {"kind", "commitment_block_number",
 *                      "hotkey", "commitment"[, "reveal_round"]}}: both
 *                      kinds, registered hotkeys (subnet state's hotkeys)
 *   commitment         v1 item, every hotkey: {commitment_block_number,
 *                      hotkey, commitment, block}; a timelocked one is an
 *                      empty body, which the worker answers 404 ""
 *   commitment_full    _unstable item: {"commitment": variant, "block"}
 */

static int
pylon_subnet_commitments(const pylon_subnet_input_t *in,
    const pylon_subnet_state_t *st, pylon_subnet_put_pt put, void *data,
    char *err, size_t errlen)
{
    int                          rc, tle, regd;
    size_t                       i, j, n, count, nfull;
    uint64_t                     block, round;
    pylon_buf_t                  v1, full, item, one, variant;
    pylon_val_t                  reg, f, fields;
    const uint8_t               *p, *account;
    const pylon_meta_pallet_t   *pallet;
    const pylon_meta_storage_t  *se;
    char                         ss58[PYLON_SS58_MAX_CHARS];

    rc = -1;

    pylon_buf_init(&v1);
    pylon_buf_init(&full);
    pylon_buf_init(&item);
    pylon_buf_init(&one);
    pylon_buf_init(&variant);

    pallet = pylon_meta_pallet(in->meta, "Commitments");
    se = pallet ? pylon_meta_storage(pallet, "CommitmentOf") : NULL;

    pylon_subnet_lit(&v1, "{\"block\":");
    pylon_subnet_block(&v1, in);
    pylon_subnet_lit(&v1, ",\"commitments\":{");
    pylon_buf_put(&full, v1.data, v1.len);

    count = 0;
    nfull = 0;

    for (i = 0; se != NULL && i < in->ncommitments; i++) {

        if (in->commitments[i].val == NULL) {
            continue;
        }

        if (pylon_subnet_hotkey(ss58, &in->commitments[i]) != 0
            || pylon_val_init(&reg, in->meta, se->value_type,
                              in->commitments[i].val,
                              in->commitments[i].vallen) != 0
            || pylon_val_field(&f, &reg, "block") != 0
            || pylon_val_uint(&block, &f) != 0
            || pylon_val_field(&f, &reg, "info") != 0
            || pylon_val_field(&fields, &f, "fields") != 0)
        {
            snprintf(err, errlen, "commitment %zu: malformed", i);
            goto done;
        }

        if (pylon_subnet_data(&p, &n, &tle, &round, &fields) != 0) {
            continue;
        }

        account = in->commitments[i].key + in->commitments[i].keylen - 32;
        regd = 0;

        for (j = 0; j < st->n; j++) {
            if (memcmp(st->hotkeys[j], account, 32) == 0) {
                regd = 1;
                break;
            }
        }

        one.len = 0;
        pylon_subnet_hex(&one, p, n, 1);

        /* the _unstable variant, also the inside of its item */

        variant.len = 0;
        pylon_subnet_lit(&variant, tle ? "{\"kind\":\"timelock_encrypted\""
                                       : "{\"kind\":\"hex_data\"");
        pylon_subnet_lit(&variant, ",\"commitment_block_number\":");
        pylon_subnet_uint(&variant, block);
        pylon_subnet_lit(&variant, ",\"hotkey\":\"");
        pylon_subnet_lit(&variant, ss58);
        pylon_subnet_lit(&variant, "\",\"commitment\":\"");
        pylon_buf_put(&variant, one.data, one.len);
        pylon_subnet_lit(&variant, "\"");

        if (tle) {
            pylon_subnet_lit(&variant, ",\"reveal_round\":");
            pylon_subnet_uint(&variant, round);
        }

        pylon_subnet_lit(&variant, "}");

        if (regd) {
            pylon_subnet_lit(&full, nfull ? ",\"" : "\"");
            pylon_subnet_lit(&full, ss58);
            pylon_subnet_lit(&full, "\":");
            pylon_buf_put(&full, variant.data, variant.len);
            nfull++;
        }

        if (regd && !tle) {
            pylon_subnet_lit(&v1, count ? ",\"" : "\"");
            pylon_subnet_lit(&v1, ss58);
            pylon_subnet_lit(&v1, "\":\"");
            pylon_buf_put(&v1, one.data, one.len);
            pylon_subnet_lit(&v1, "\"");
            count++;
        }

        item.len = 0;

        if (!tle) {
            pylon_subnet_lit(&item, "{\"commitment_block_number\":");
            pylon_subnet_uint(&item, block);
            pylon_subnet_lit(&item, ",\"hotkey\":\"");
            pylon_subnet_lit(&item, ss58);
            pylon_subnet_lit(&item, "\",\"commitment\":\"");
            pylon_buf_put(&item, one.data, one.len);
            pylon_subnet_lit(&item, "\",\"block\":");
            pylon_subnet_block(&item, in);
            pylon_subnet_lit(&item, "}");
        }

        if (item.err || one.err || variant.err) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }

        if (put(data, PYLON_ROUTE_COMMITMENT, ss58,
                item.len ? item.data : (const uint8_t *) "", item.len)
            != 0)
        {
            snprintf(err, errlen, "storing a commitment failed");
            goto done;
        }

        item.len = 0;
        pylon_subnet_lit(&item, "{\"commitment\":");
        pylon_buf_put(&item, variant.data, variant.len);
        pylon_subnet_lit(&item, ",\"block\":");
        pylon_subnet_block(&item, in);
        pylon_subnet_lit(&item, "}");

        if (item.err
            || put(data, PYLON_ROUTE_COMMIT_FULL, ss58, item.data, item.len)
               != 0)
        {
            snprintf(err, errlen, "storing a commitment failed");
            goto done;
        }
    }

    pylon_subnet_lit(&v1, "}}");
    pylon_subnet_lit(&full, "}}");

    if (v1.err || full.err) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    if (put(data, PYLON_ROUTE_COMMITMENTS, NULL, v1.data, v1.len) != 0
        || put(data, PYLON_ROUTE_COMMITS_FULL, NULL, full.data, full.len)
           != 0)
    {
        snprintf(err, errlen, "storing commitments failed");
        goto done;
    }

    rc = 0;

done:

    pylon_buf_free(&v1);
    pylon_buf_free(&full);
    pylon_buf_free(&item);
    pylon_buf_free(&one);
    pylon_buf_free(&variant);

    return rc;
}


/*
 * The first Data field: Raw, BigRaw or a hash (*tle = 0), or
 * TimelockEncrypted's encrypted bytes and reveal round (*tle = 1).
 * -1 for None, ResetBondsFlag and anything else.
 */

static int
pylon_subnet_data(const uint8_t **p, size_t *n, int *tle, uint64_t *round,
    const pylon_val_t *fields)
{
    pylon_val_t   d, inner;
    const char   *name;

    *tle = 0;
    *round = 0;

    if (pylon_val_index(&d, fields, 0) != 0
        || pylon_val_variant(&name, &d) != 0)
    {
        return -1;
    }

    if (strcmp(name, "TimelockEncrypted") == 0) {
        if (pylon_val_field(&inner, &d, "encrypted") != 0
            || pylon_val_bytes(p, n, &inner) != 0
            || pylon_val_field(&inner, &d, "reveal_round") != 0
            || pylon_val_uint(round, &inner) != 0)
        {
            return -1;
        }

        *tle = 1;
        return 0;
    }

    if (strcmp(name, "None") == 0 || strcmp(name, "ResetBondsFlag") == 0) {
        return -1;
    }

    if (pylon_val_index(&inner, &d, 0) != 0) {
        /* Raw0: a variant without data */
        if (strcmp(name, "Raw0") == 0) {
            *p = (const uint8_t *) "";
            *n = 0;
            return 0;
        }
        return -1;
    }

    return pylon_val_bytes(p, n, &inner);
}


/* SubtensorModule.NeuronCertificates: {hotkey: Certificate} and items */

static int
pylon_subnet_certificates(const pylon_subnet_input_t *in,
    pylon_subnet_put_pt put, void *data, char *err, size_t errlen)
{
    int                          rc;
    size_t                       i, n, count;
    uint64_t                     alg;
    pylon_buf_t                  all, item;
    pylon_val_t                  cert, f;
    const uint8_t               *p;
    const pylon_meta_pallet_t   *pallet;
    const pylon_meta_storage_t  *se;
    char                         ss58[PYLON_SS58_MAX_CHARS];

    rc = -1;

    pylon_buf_init(&all);
    pylon_buf_init(&item);

    pallet = pylon_meta_pallet(in->meta, "SubtensorModule");
    se = pallet ? pylon_meta_storage(pallet, "NeuronCertificates") : NULL;

    pylon_subnet_lit(&all, "{");

    count = 0;

    for (i = 0; se != NULL && i < in->ncertificates; i++) {

        if (in->certificates[i].val == NULL) {
            continue;
        }

        if (pylon_subnet_hotkey(ss58, &in->certificates[i]) != 0
            || pylon_val_init(&cert, in->meta, se->value_type,
                              in->certificates[i].val,
                              in->certificates[i].vallen) != 0
            || pylon_val_field(&f, &cert, "algorithm") != 0
            || pylon_val_uint(&alg, &f) != 0
            || pylon_val_field(&f, &cert, "public_key") != 0
            || pylon_val_bytes(&p, &n, &f) != 0)
        {
            snprintf(err, errlen, "certificate %zu: malformed", i);
            goto done;
        }

        item.len = 0;
        pylon_subnet_lit(&item, "{\"algorithm\":");
        pylon_subnet_uint(&item, alg);
        pylon_subnet_lit(&item, ",\"public_key\":\"");
        pylon_subnet_hex(&item, p, n, 0);
        pylon_subnet_lit(&item, "\"}");

        pylon_subnet_lit(&all, count ? ",\"" : "\"");
        pylon_subnet_lit(&all, ss58);
        pylon_subnet_lit(&all, "\":");
        pylon_buf_put(&all, item.data, item.len);

        if (item.err) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }

        if (put(data, PYLON_ROUTE_CERTIFICATE, ss58, item.data, item.len)
            != 0)
        {
            snprintf(err, errlen, "storing a certificate failed");
            goto done;
        }

        count++;
    }

    pylon_subnet_lit(&all, "}");

    if (all.err) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    if (put(data, PYLON_ROUTE_CERTIFICATES, NULL, all.data, all.len) != 0) {
        snprintf(err, errlen, "storing certificates failed");
        goto done;
    }

    rc = 0;

done:

    pylon_buf_free(&all);
    pylon_buf_free(&item);

    return rc;
}


/* prefix (32) ++ netuid (2) ++ hash (8 or 16) ++ AccountId (32) */

static int
pylon_subnet_hotkey(char *ss58, const pylon_subnet_kv_t *kv)
{
    if (kv->keylen != PYLON_SUBNET_PREFIX_BYTES + 8 + 32
        && kv->keylen != PYLON_SUBNET_PREFIX_BYTES + 16 + 32)
    {
        return -1;
    }

    return pylon_ss58_encode(ss58, PYLON_SS58_MAX_CHARS,
                             kv->key + kv->keylen - 32, PYLON_SS58_PREFIX)
           < 0 ? -1 : 0;
}


static void
pylon_subnet_block(pylon_buf_t *b, const pylon_subnet_input_t *in)
{
    pylon_subnet_lit(b, "{\"number\":");
    pylon_subnet_uint(b, in->block);
    pylon_subnet_lit(b, ",\"hash\":\"");
    pylon_subnet_lit(b, in->hash);
    pylon_subnet_lit(b, "\"}");
}


static void
pylon_subnet_float(pylon_buf_t *b, double d)
{
    size_t  n;
    char    s[PYLON_PYFLOAT_MAX_CHARS];

    n = pylon_pyfloat_format(s, d);
    pylon_buf_put(b, s, n);
}


static void
pylon_subnet_uint(pylon_buf_t *b, uint64_t v)
{
    int   n;
    char  s[24];

    n = snprintf(s, sizeof(s), "%llu", (unsigned long long) v);
    pylon_buf_put(b, s, (size_t) n);
}


/*
 * Python's ipaddress.ip_address(int): IPv4 below 2^32, else IPv6 in the
 * compressed form (longest run of two or more zero groups as "::",
 * leftmost on a tie, lowercase hex without leading zeros).
 */

static void
pylon_subnet_ip(pylon_buf_t *b, pylon_u128_t ip)
{
    int       i, best, bestlen, run, runlen, n;
    uint16_t  g[8];
    char      s[64];

    if (ip >> 32 == 0) {
        n = snprintf(s, sizeof(s), "%u.%u.%u.%u",
                     (unsigned) (ip >> 24) & 0xff,
                     (unsigned) (ip >> 16) & 0xff,
                     (unsigned) (ip >> 8) & 0xff, (unsigned) ip & 0xff);
        pylon_buf_put(b, s, (size_t) n);
        return;
    }

    for (i = 0; i < 8; i++) {
        g[i] = (uint16_t) (ip >> (16 * (7 - i)));
    }

    best = -1;
    bestlen = 1;

    for (i = 0; i < 8; ) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        run = i;
        runlen = 0;
        while (i < 8 && g[i] == 0) {
            i++;
            runlen++;
        }
        if (runlen > bestlen) {
            best = run;
            bestlen = runlen;
        }
    }

    n = 0;

    for (i = 0; i < 8; i++) {
        if (i == best) {
            n += snprintf(s + n, sizeof(s) - n, "::");
            i += bestlen - 1;
            continue;
        }
        n += snprintf(s + n, sizeof(s) - n, "%s%x",
                      (i == 0 || i == best + bestlen) ? "" : ":", g[i]);
    }

    pylon_buf_put(b, s, (size_t) n);
}


static void
pylon_subnet_lit(pylon_buf_t *b, const char *s)
{
    pylon_buf_put(b, s, strlen(s));
}


static void
pylon_subnet_hex(pylon_buf_t *b, const uint8_t *p, size_t n, int prefix)
{
    size_t          i;
    uint8_t        *d;
    static const char  digits[] = "0123456789abcdef";

    if (prefix) {
        pylon_subnet_lit(b, "0x");
    }

    d = pylon_buf_reserve(b, 2 * n);
    if (d == NULL) {
        return;
    }

    for (i = 0; i < n; i++) {
        d[2 * i] = digits[p[i] >> 4];
        d[2 * i + 1] = digits[p[i] & 0xf];
    }

    b->len += 2 * n;
}


static int
pylon_subnet_cmp(const void *a, const void *b)
{
    const pylon_subnet_rank_t  *x = a, *y = b;

    if (x->total != y->total) {
        return x->total > y->total ? -1 : 1;
    }

    return x->index < y->index ? -1 : (x->index > y->index);
}
