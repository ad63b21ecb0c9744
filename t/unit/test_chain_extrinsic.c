/*
 * test_chain_extrinsic.c: the extrinsic builder against chain.md §6.
 *
 * The full §6.5 vector is rebuilt from the spec-343 metadata (its
 * extension list is the one of every runtime so far): call from JSON,
 * extra and additional from the metadata's extensions, the 105-byte
 * payload, the signature with the fixed witness 00..1f, the extrinsic and
 * its hash; then the 120-uid variant whose 575-byte payload is signed as
 * its hash, with the V15 and the V14 metadata; the block-side decoder
 * (xdecode) reads the result back.  §6.4's era examples, immortal eras,
 * refusal of an unknown extension that carries data, and bad call
 * arguments follow.
 */

#include <sodium.h>

#include "chain/extrinsic.h"
#include "chain/hex.h"
#include "chain/xdecode.h"
#include "test_chain_fixture.h"
#include "crypto/suri.h"


#define GENESIS                                                              \
    "2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"
#define BIRTH                                                                \
    "db13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0"
#define CALL                                                                 \
    "07770100000c0000010005000cffff008001000000000000000000"
#define SIG                                                                  \
    "84cc4e937bfc4b6d38e7b2ff76ae6daf7e5dc40d3140fe278079b1fc97a08d2a"       \
    "ff465ef245760c5312e49b7fafd9d627f8e6befaf1d2655a17fcc3faf543de86"
#define ALICE                                                                \
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"


static void
params_init(pylon_xt_params_t *p, uint32_t nonce)
{
    size_t  n;

    memset(p, 0, sizeof(*p));
    p->spec_version = 425;
    p->tx_version = 1;
    p->period = 4;
    p->block = 6852690;
    p->nonce = nonce;
    pylon_hex_decode(p->genesis, 32, &n, GENESIS, 64);
    pylon_hex_decode(p->birth_hash, 32, &n, BIRTH, 64);
}


static void
test_era(void)
{
    uint8_t   e[2];
    size_t    n;
    uint64_t  birth;

    pylon_xt_era(e, &n, &birth, 4, 100);
    ok(n == 2 && e[0] == 0x01 && e[1] == 0x00 && birth == 100,
       "era (4, 100) = 0100, born at 100");
    pylon_xt_era(e, &n, &birth, 4, 6852690);
    ok(n == 2 && e[0] == 0x21 && e[1] == 0x00 && birth == 6852690,
       "era (4, 6852690) = 2100");
    pylon_xt_era(e, &n, &birth, 64, 6852690);
    ok(n == 2 && e[0] == 0x25 && e[1] == 0x01, "era (64, 6852690) = 2501");
    pylon_xt_era(e, &n, &birth, 5, 3924);
    ok(n == 2 && e[0] == 0x42 && e[1] == 0x00, "era (5 -> 8, 3924) = 4200");
    pylon_xt_era(e, &n, &birth, 0, 3924);
    ok(n == 1 && e[0] == 0x00, "period 0 is immortal (00)");
    pylon_xt_era(e, &n, &birth, 1000000, 70000);
    ok(n == 2 && (e[0] & 0x0f) == 15 && birth == 70000,
       "period clamped to 65536 (quantized phase, birth %llu)",
       (unsigned long long) birth);
    pylon_xt_era(e, &n, &birth, 1, 7);
    ok(n == 2 && e[0] == 0x31 && e[1] == 0x00 && birth == 7,
       "period 1 rounds up to 4");
}


static void
test_vector(const pylon_meta_t *m, const pylon_sr25519_keypair_t *alice,
    const uint8_t *rng)
{
    char               err[256];
    uint8_t            hash[32], sig[64];
    json_t            *args, *dec;
    pylon_buf_t        call, payload, xt, extra, add;
    pylon_xt_params_t  p;

    pylon_buf_init(&call);
    pylon_buf_init(&payload);
    pylon_buf_init(&xt);
    pylon_buf_init(&extra);
    pylon_buf_init(&add);
    params_init(&p, 5);

    args = json_loads("{\"netuid\": 1, \"mecid\": 0, \"dests\": [0, 1, 5],"
                      " \"weights\": [65535, 32768, 1], \"version_key\": 0}",
                      0, NULL);
    is_int(pylon_xt_call(&call, m, "SubtensorModule",
                         "set_mechanism_weights", args, err, sizeof(err)),
           0, "call from named arguments");
    is_hex(call.data, call.len, CALL, "chain.md 6.5 call bytes");
    json_decref(args);

    call.len = 0;
    args = json_loads("[1, 0, [0, 1, 5], [65535, 32768, 1], \"0\"]", 0, NULL);
    is_int(pylon_xt_call(&call, m, "SubtensorModule",
                         "set_mechanism_weights", args, err, sizeof(err)),
           0, "call from positional arguments");
    is_hex(call.data, call.len, CALL, "same bytes");
    json_decref(args);

    is_int(pylon_xt_extensions(&extra, &add, m, &p, err, sizeof(err)), 0,
           "extensions of spec 343");
    is_hex(extra.data, extra.len, "2100140000", "extra: era, nonce, tip, "
           "metadata-hash mode");
    is_hex(add.data, add.len, "a9010000" "01000000" GENESIS BIRTH "00",
           "additional: spec, tx version, genesis, birth, None");

    is_int(pylon_xt_payload(&payload, m, call.data, call.len, &p, err,
                            sizeof(err)), 0, "payload");
    is_int(payload.len, 105, "payload is 105 bytes");
    is_hex(payload.data, payload.len, CALL "2100140000" "a9010000" "01000000"
           GENESIS BIRTH "00", "payload = call ++ extra ++ additional");

    is_int(pylon_xt_sign_payload(sig, payload.data, payload.len, alice, rng),
           0, "sign payload");
    is_hex(sig, 64, SIG, "chain.md 6.5 signature");

    is_int(pylon_xt_sign(&xt, hash, m, call.data, call.len, &p, alice, rng,
                         err, sizeof(err)), 0, "sign extrinsic");
    is_hex(xt.data, xt.len, "0d028400" ALICE "01" SIG "2100140000" CALL,
           "chain.md 6.5 extrinsic byte for byte");
    is_hex(hash, 32, "28fefdc092edaf893042383d471509010f613388e233c87d9f668c"
           "740e0f2a89", "chain.md 6.5 extrinsic hash");

    /* the block-side decoder reads it back */
    dec = pylon_extrinsic_decode(m, xt.data, xt.len, err, sizeof(err));
    ok(dec != NULL, "xdecode reads our extrinsic");
    if (dec != NULL) {
        is_str(json_string_value(json_object_get(
                   json_object_get(dec, "call"), "call_function")),
               "set_mechanism_weights", "as set_mechanism_weights");
        is_str(json_string_value(json_object_get(dec, "address")),
               "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
               "signed by Alice");
        json_decref(dec);
    }

    /* production signing: fresh randomness, still verifies */
    xt.len = 0;
    is_int(pylon_xt_sign(&xt, NULL, m, call.data, call.len, &p, alice, NULL,
                         err, sizeof(err)), 0, "sign with OS randomness");
    ok(xt.len == 133
       && pylon_sr25519_verify(xt.data + 37, payload.data, payload.len,
                               alice->pub) == 0,
       "its signature verifies over the payload");
    ok(memcmp(xt.data + 37, sig, 64) != 0, "and differs from the fixed one");

    pylon_buf_free(&call);
    pylon_buf_free(&payload);
    pylon_buf_free(&xt);
    pylon_buf_free(&extra);
    pylon_buf_free(&add);
}


static void
test_large(const pylon_meta_t *m, const pylon_sr25519_keypair_t *alice,
    const uint8_t *rng)
{
    char               err[256];
    uint8_t            hash[32], h[32];
    unsigned           i;
    json_t            *args, *uids, *w;
    pylon_buf_t        call, payload, xt;
    pylon_xt_params_t  p;

    pylon_buf_init(&call);
    pylon_buf_init(&payload);
    pylon_buf_init(&xt);
    params_init(&p, 6);

    uids = json_array();
    w = json_array();
    for (i = 0; i < 120; i++) {
        json_array_append_new(uids, json_integer(i));
        json_array_append_new(w, json_integer(65535 - i));
    }
    args = json_pack("{s:i, s:i, s:o, s:o, s:i}", "netuid", 1, "mecid", 0,
                     "dests", uids, "weights", w, "version_key", 0);

    is_int(pylon_xt_call(&call, m, "SubtensorModule",
                         "set_mechanism_weights", args, err, sizeof(err)),
           0, "120-uid call");
    pylon_xt_payload(&payload, m, call.data, call.len, &p, err, sizeof(err));
    is_int(payload.len, 575, "large payload is 575 bytes");
    crypto_generichash(h, 32, payload.data, payload.len, NULL, 0);
    is_hex(h, 32, "7185d0a3dab5d9152a35166a33e2a8e66039b24da6cc15d973ba7f36"
                  "4b9f937c", "blake2b-256 of the large payload");

    is_int(pylon_xt_sign(&xt, hash, m, call.data, call.len, &p, alice, rng,
                         err, sizeof(err)), 0, "sign the large extrinsic");
    /* compact length takes 2 bytes: 0x84 at offset 2, sig at 2+1+33+1 */
    is_hex(xt.data + 37, 64, "145ff044900a189d9e8bc7a9749a9810"
                             "e84713b0be44d43b4980702fc23c9664"
                             "20ed2c07f59defbfc1f32c042e089b4f"
                             "f0eeadd3a3d4685477e669f3f7822a8c",
           "chain.md 6.5 signature over the hashed payload");
    is_hex(hash, 32, "eda1aa8420163f865b93e59dadf07427f7f4eb87937d1e4d05a1e4"
           "4a484b7c59", "chain.md 6.5 large extrinsic hash");

    json_decref(args);
    pylon_buf_free(&call);
    pylon_buf_free(&payload);
    pylon_buf_free(&xt);
}


static void
test_immortal(const pylon_meta_t *m)
{
    char               err[256];
    pylon_buf_t        extra, add;
    pylon_xt_params_t  p;

    pylon_buf_init(&extra);
    pylon_buf_init(&add);
    params_init(&p, 64);
    p.period = 0;
    p.tip = 1000000;

    pylon_xt_extensions(&extra, &add, m, &p, err, sizeof(err));
    is_hex(extra.data, extra.len, "00" "0101" "02093d00" "00",
           "immortal era, nonce 64 and tip 10^6 as compacts");
    is_hex(add.data, add.len, "a9010000" "01000000" GENESIS GENESIS "00",
           "immortal: the genesis hash is signed as birth");

    pylon_buf_free(&extra);
    pylon_buf_free(&add);
}


static void
test_unknown_extension(pylon_meta_t *m)
{
    char               err[256];
    int64_t            u32;
    pylon_buf_t        extra, add;
    pylon_meta_ext_t  *exts, *saved;
    uint32_t           n;
    pylon_xt_params_t  p;

    pylon_buf_init(&extra);
    pylon_buf_init(&add);
    params_init(&p, 0);

    u32 = pylon_meta_type_find(m, "u32");
    ok(u32 >= 0, "the registry has u32");

    saved = m->exts;
    n = m->nexts;
    exts = pylon_meta_alloc(m, (n + 1) * sizeof(*exts));
    memcpy(exts, saved, n * sizeof(*exts));

    /* an unknown extension with empty types is fine */
    exts[n] = exts[0];                     /* CheckNonZeroSender: () */
    exts[n].identifier = "SomethingNew";
    m->exts = exts;
    m->nexts = n + 1;
    is_int(pylon_xt_extensions(&extra, &add, m, &p, err, sizeof(err)), 0,
           "an unknown extension without data is skipped");

    exts[n].type = (uint32_t) u32;
    extra.len = 0;
    add.len = 0;
    is_int(pylon_xt_extensions(&extra, &add, m, &p, err, sizeof(err)), -1,
           "an unknown extension with data is refused");
    ok(strstr(err, "SomethingNew") != NULL, "the error names it: %s", err);
    ok(extra.len == 0 && add.len == 0, "nothing appended");

    exts[n].type = exts[0].type;
    exts[n].additional = (uint32_t) u32;
    is_int(pylon_xt_extensions(&extra, &add, m, &p, err, sizeof(err)), -1,
           "signed-only data of an unknown extension is refused too");

    m->exts = saved;
    m->nexts = n;

    pylon_buf_free(&extra);
    pylon_buf_free(&add);
}


static void
bad_call(const pylon_meta_t *m, const char *pallet, const char *call,
    const char *json, const char *name)
{
    char         err[256];
    json_t      *args;
    pylon_buf_t  out;

    pylon_buf_init(&out);
    pylon_scale_put_u8(&out, 0xaa);

    args = json != NULL ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
    err[0] = '\0';
    ok(pylon_xt_call(&out, m, pallet, call, args, err, sizeof(err)) == -1
       && out.len == 1 && err[0] != '\0', "%s (%s)", name, err);
    json_decref(args);
    pylon_buf_free(&out);
}


static void
test_bad_calls(const pylon_meta_t *m)
{
    char         err[256];
    json_t      *args;
    pylon_buf_t  out;

    bad_call(m, "NoPallet", "remark", "[\"0x00\"]", "unknown pallet");
    bad_call(m, "System", "no_call", "[\"0x00\"]", "unknown call");
    bad_call(m, "System", "remark", NULL, "missing arguments");
    bad_call(m, "System", "remark", "[]", "too few arguments");
    bad_call(m, "System", "remark", "[\"0x00\", 1]", "too many arguments");
    bad_call(m, "System", "remark", "{\"rmk\": \"0x00\"}", "wrong name");
    bad_call(m, "System", "remark", "[\"0xzz\"]", "bad hex");
    bad_call(m, "System", "remark", "7", "arguments not a container");
    bad_call(m, "SubtensorModule", "set_mechanism_weights",
             "[70000, 0, [], [], 0]", "netuid out of range");
    bad_call(m, "SubtensorModule", "set_mechanism_weights",
             "{\"netuid\": 1, \"mecid\": 0, \"dests\": [], \"weights\": [],"
             " \"version\": 0}", "misspelled argument");

    pylon_buf_init(&out);
    args = json_loads("{\"remark\": \"0x68656c6c6f\"}", 0, NULL);
    is_int(pylon_xt_call(&out, m, "System", "remark", args, err, sizeof(err)),
           0, "System.remark");
    is_hex(out.data, out.len, "0000" "14" "68656c6c6f",
           "System.remark(\"hello\") = 0000 14 68656c6c6f");
    json_decref(args);

    out.len = 0;
    args = json_loads("{\"call\": {\"System\": {\"remark\": {\"remark\": "
                      "\"0x01\"}}}}", 0, NULL);
    is_int(pylon_xt_call(&out, m, "Sudo", "sudo", args, err, sizeof(err)),
           0, "Sudo.sudo with a nested call");
    ok(out.len == 6 && out.data[2] == 0 && out.data[3] == 0
       && out.data[4] == 4 && out.data[5] == 1,
       "nested call encodes inline");
    json_decref(args);

    out.len = 0;
    is_int(pylon_xt_call(&out, m, "Sudo", "remove_key", NULL, err,
                         sizeof(err)), 0, "a call without arguments");
    is_int(out.len, 2, "is two bytes");
    pylon_buf_free(&out);
}


int
main(void)
{
    char                      err[256];
    uint8_t                   rng[32];
    unsigned                  i;
    pylon_meta_t             *m;
    pylon_sr25519_keypair_t  *alice;

    if (sodium_init() < 0) {
        skip_all("libsodium init failed");
    }

    test_era();

    m = fixture_meta("metadata-v15-spec343.txt");
    if (m == NULL) {
        ok(0, "metadata parses");
        return done_testing();
    }

    for (i = 0; i < 32; i++) {
        rng[i] = (uint8_t) i;
    }

    alice = pylon_sr25519_keypair_new();
    if (pylon_suri_keypair(alice, "//Alice", NULL, err, sizeof(err)) != 0) {
        diag("%s", err);
    }

    test_vector(m, alice, rng);
    test_large(m, alice, rng);
    test_immortal(m);
    test_unknown_extension(m);
    test_bad_calls(m);
    pylon_meta_free(m);

    /* the V14 metadata of the same runtime lists the same extensions */
    m = fixture_meta("metadata-v14-spec343.txt");
    ok(m != NULL && m->version == 14, "V14 metadata parses");
    if (m != NULL) {
        diag("V14:");
        test_vector(m, alice, rng);
        test_large(m, alice, rng);
        pylon_meta_free(m);
    }

    pylon_sr25519_keypair_free(alice);

    return done_testing();
}
