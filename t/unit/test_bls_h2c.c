/*
 * test_bls_h2c.c: RFC 9380 vectors for expand_message_xmd(SHA-256) and
 * hash_to_curve BLS12381G1_XMD:SHA-256_SSWU_RO_ (u, Q0 and P), plus the
 * drand DST on a known round.
 */

#include "tap.h"

#include "crypto/bls12_381_curve.h"


typedef struct {
    const char  *msg;          /* literal, or a prefix when rep != 0 */
    char         rep;          /* repeated character appended */
    int          nrep;
    const char  *px, *py, *u0, *u1, *q0x, *q0y;
} h2c_vector;

typedef struct {
    const char  *msg;
    char         rep;
    int          nrep;
    int          len;
    const char  *uniform;
} xmd_vector;

/* RFC 9380 appendix J.9.1 */
static const h2c_vector  g1_vectors[] = {
    { "", 0, 0,
      "052926add2207b76ca4fa57a8734416c8dc95e24501772c8"
      "14278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1",
      "08ba738453bfed09cb546dbb0783dbb3a5f1f566ed67bb6b"
      "e0e8c67e2e81a4cc68ee29813bb7994998f3eae0c9c6a265",
      "0ba14bd907ad64a016293ee7c2d276b8eae71f25a4b941ee"
      "ce7b0d89f17f75cb3ae5438a614fb61d6835ad59f29c564f",
      "019b9bd7979f12657976de2884c7cce192b82c177c80e0ec"
      "604436a7f538d231552f0d96d9f7babe5fa3b19b3ff25ac9",
      "11a3cce7e1d90975990066b2f2643b9540fa40d6137780df"
      "4e753a8054d07580db3b7f1f03396333d4a359d1fe3766fe",
      "0eeaf6d794e479e270da10fdaf768db4c96b650a74518fc6"
      "7b04b03927754bac66f3ac720404f339ecdcc028afa091b7",
    },
    { "abc", 0, 0,
      "03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0"
      "a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903",
      "0b9c15f3fe6e5cf4211f346271d7b01c8f3b28be689c8429"
      "c85b67af215533311f0b8dfaaa154fa6b88176c229f2885d",
      "0d921c33f2bad966478a03ca35d05719bdf92d347557ea16"
      "6e5bba579eea9b83e9afa5c088573c2281410369fbd32951",
      "003574a00b109ada2f26a37a91f9d1e740dffd8d69ec0c35"
      "e1e9f4652c7dba61123e9dd2e76c655d956e2b3462611139",
      "125435adce8e1cbd1c803e7123f45392dc6e326d292499c2"
      "c45c5865985fd74fe8f042ecdeeec5ecac80680d04317d80",
      "0e8828948c989126595ee30e4f7c931cbd6f4570735624fd"
      "25aef2fa41d3f79cfb4b4ee7b7e55a8ce013af2a5ba20bf2",
    },
    { "abcdef0123456789", 0, 0,
      "11e0b079dea29a68f0383ee94fed1b940995272407e3bb91"
      "6bbf268c263ddd57a6a27200a784cbc248e84f357ce82d98",
      "03a87ae2caf14e8ee52e51fa2ed8eefe80f02457004ba4d4"
      "86d6aa1f517c0889501dc7413753f9599b099ebcbbd2d709",
      "062d1865eb80ebfa73dcfc45db1ad4266b9f3a93219976a3"
      "790ab8d52d3e5f1e62f3b01795e36834b17b70e7b76246d4",
      "0cdc3e2f271f29c4ff75020857ce6c5d36008c9b48385ea2"
      "f2bf6f96f428a3deb798aa033cd482d1cdc8b30178b08e3a",
      "08834484878c217682f6d09a4b51444802fdba3d7f2df990"
      "3a0ddadb92130ebbfa807fffa0eabf257d7b48272410afff",
      "0b318f7ecf77f45a0f038e62d7098221d2dbbca2a394164e"
      "2e3fe953dc714ac2cde412d8f2d7f0c03b259e6795a2508e",
    },
    { "q128_", 'q', 128,
      "15f68eaa693b95ccb85215dc65fa81038d69629f70aeee0d"
      "0f677cf22285e7bf58d7cb86eefe8f2e9bc3f8cb84fac488",
      "1807a1d50c29f430b8cafc4f8638dfeeadf51211e1602a5f"
      "184443076715f91bb90a48ba1e370edce6ae1062f5e6dd38",
      "010476f6a060453c0b1ad0b628f3e57c23039ee16eea5e71"
      "bb87c3b5419b1255dc0e5883322e563b84a29543823c0e86",
      "0b1a912064fb0554b180e07af7e787f1f883a0470759c03c"
      "1b6509eb8ce980d1670305ae7b928226bb58fdc0a419f46e",
      "0cbd7f84ad2c99643fea7a7ac8f52d63d66cefa06d9a5614"
      "8e58b984b3dd25e1f41ff47154543343949c64f88d48a710",
      "052c00e4ed52d000d94881a5638ae9274d3efc8bc77bc0e5"
      "c650de04a000b2c334a9e80b85282a00f3148dfdface0865",
    },
    { "a512_", 'a', 512,
      "082aabae8b7dedb0e78aeb619ad3bfd9277a2f77ba7fad20"
      "ef6aabdc6c31d19ba5a6d12283553294c1825c4b3ca2dcfe",
      "05b84ae5a942248eea39e1d91030458c40153f3b654ab787"
      "2d779ad1e942856a20c438e8d99bc8abfbf74729ce1f7ac8",
      "0a8ffa7447f6be1c5a2ea4b959c9454b431e29ccc0802bc0"
      "52413a9c5b4f9aac67a93431bd480d15be1e057c8a08e8c6",
      "05d487032f602c90fa7625dbafe0f4a49ef4a6b0b33d7bb3"
      "49ff4cf5410d297fd6241876e3e77b651cfc8191e40a68b7",
      "0cf97e6dbd0947857f3e578231d07b309c622ade08f2c08b"
      "32ff372bd90db19467b2563cc997d4407968d4ac80e154f8",
      "127f0cddf2613058101a5701f4cb9d0861fd6c2a1b8e0afe"
      "194fccf586a3201a53874a2761a9ab6d7220c68661a35ab3",
    },
};

/* RFC 9380 appendix K.1 */
static const xmd_vector  xmd_vectors[] = {
    { "", 0, 0, 32,
      "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235"
    },
    { "abc", 0, 0, 32,
      "d8ccab23b5985ccea865c6c97b6e5b8350e794e603b4b97902f53a8a0d605615"
    },
    { "abcdef0123456789", 0, 0, 32,
      "eff31487c770a893cfb36f912fbfcbff40d5661771ca4b2cb4eafe524333f5c1"
    },
    { "q128_", 'q', 128, 32,
      "b23a1d2b4d97b2ef7785562a7e8bac7eed54ed6e97e29aa51bfe3f12ddad1ff9"
    },
    { "a512_", 'a', 512, 32,
      "4623227bcc01293b8c130bf771da8c298dede7383243dc0993d2d94823958c4c"
    },
    { "", 0, 0, 128,
      "af84c27ccfd45d41914fdff5df25293e221afc53d8ad2ac06d5e3e29485dadbe"
      "e0d121587713a3e0dd4d5e69e93eb7cd4f5df4cd103e188cf60cb02edc3edf18"
      "eda8576c412b18ffb658e3dd6ec849469b979d444cf7b26911a08e63cf31f9dc"
      "c541708d3491184472c2c29bb749d4286b004ceb5ee6b9a7fa5b646c993f0ced"
    },
    { "abc", 0, 0, 128,
      "abba86a6129e366fc877aab32fc4ffc70120d8996c88aee2fe4b32d6c7b6437a"
      "647e6c3163d40b76a73cf6a5674ef1d890f95b664ee0afa5359a5c4e07985635"
      "bbecbac65d747d3d2da7ec2b8221b17b0ca9dc8a1ac1c07ea6a1e60583e2cb00"
      "058e77b7b72a298425cd1b941ad4ec65e8afc50303a22c0f99b0509b4c895f40"
    },
    { "abcdef0123456789", 0, 0, 128,
      "ef904a29bffc4cf9ee82832451c946ac3c8f8058ae97d8d629831a74c6572bd9"
      "ebd0df635cd1f208e2038e760c4994984ce73f0d55ea9f22af83ba4734569d4b"
      "c95e18350f740c07eef653cbb9f87910d833751825f0ebefa1abe5420bb52be1"
      "4cf489b37fe1a72f7de2d10be453b2c9d9eb20c7e3f6edc5a60629178d9478df"
    },
    { "q128_", 'q', 128, 128,
      "80be107d0884f0d881bb460322f0443d38bd222db8bd0b0a5312a6fedb49c1bb"
      "d88fd75d8b9a09486c60123dfa1d73c1cc3169761b17476d3c6b7cbbd727acd0"
      "e2c942f4dd96ae3da5de368d26b32286e32de7e5a8cb2949f866a0b80c58116b"
      "29fa7fabb3ea7d520ee603e0c25bcaf0b9a5e92ec6a1fe4e0391d1cdbce8c68a"
    },
    { "a512_", 'a', 512, 128,
      "546aff5444b5b79aa6148bd81728704c32decb73a3ba76e9e75885cad9def1d0"
      "6d6792f8a7d12794e90efed817d96920d728896a4510864370c207f99bd4a608"
      "ea121700ef01ed879745ee3e4ceef777eda6d9e5e38b90c86ea6fb0b36504ba4"
      "a45d22e86f6db5dd43d98a294bebb9125d5b794e9d2a81181066eb954966a487"
    },
};


static char *
build_msg(const char *pre, char rep, int nrep, size_t *len)
{
    size_t  n;
    char   *m;

    n = strlen(pre);
    m = malloc(n + nrep + 1);
    memcpy(m, pre, n);
    memset(m + n, rep, nrep);
    m[n + nrep] = '\0';
    *len = n + nrep;
    return m;
}


static void
fp_hex(char out[97], const pylon_fp *a)
{
    static const char  digits[] = "0123456789abcdef";
    unsigned char      b[48];
    int                i;

    pylon_fp_to_bytes_be(b, a);
    for (i = 0; i < 48; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 0xf];
    }
    out[96] = '\0';
}


static void
test_xmd(void)
{
    static const char  dst[] = "QUUX-V01-CS02-with-expander-SHA256-128";
    unsigned char      out[256];
    size_t             i, len;
    char              *m;

    for (i = 0; i < sizeof(xmd_vectors) / sizeof(xmd_vectors[0]); i++) {
        m = build_msg(xmd_vectors[i].msg, xmd_vectors[i].rep,
                      xmd_vectors[i].nrep, &len);
        ok(pylon_bls_expand_message_xmd(out, xmd_vectors[i].len,
               (unsigned char *) m, len, (const unsigned char *) dst,
               sizeof(dst) - 1) == 0, "xmd %zu runs", i);
        is_hex(out, xmd_vectors[i].len, xmd_vectors[i].uniform,
               "expand_message_xmd vector matches RFC 9380 K.1");
        free(m);
    }

    ok(pylon_bls_expand_message_xmd(out, 256 * 32, (unsigned char *) "", 0,
           (const unsigned char *) dst, sizeof(dst) - 1) == -1,
       "xmd rejects len_in_bytes > 255 * 32");
}


static void
test_g1(void)
{
    static const char  dst[] =
        "QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_";
    const h2c_vector  *v;
    pylon_fp           u[2], x, y;
    pylon_g1           q, p;
    size_t             i, len;
    char               h[97], *m;

    for (i = 0; i < sizeof(g1_vectors) / sizeof(g1_vectors[0]); i++) {
        v = &g1_vectors[i];
        m = build_msg(v->msg, v->rep, v->nrep, &len);
        diag("msg %.20s (%zu bytes)", m, len);

        ok(pylon_g1_hash_to_field(u, (unsigned char *) m, len,
               (const unsigned char *) dst, sizeof(dst) - 1) == 0,
           "hash_to_field runs");
        fp_hex(h, &u[0]);
        is_str(h, v->u0, "u[0] matches");
        fp_hex(h, &u[1]);
        is_str(h, v->u1, "u[1] matches");

        pylon_g1_map_to_curve(&q, &u[0]);
        ok(pylon_g1_is_on_curve(&q), "Q0 is on E");
        pylon_g1_to_affine(&x, &y, &q);
        fp_hex(h, &x);
        is_str(h, v->q0x, "Q0.x matches");
        fp_hex(h, &y);
        is_str(h, v->q0y, "Q0.y matches");

        ok(pylon_g1_hash_to_curve(&p, (unsigned char *) m, len,
               (const unsigned char *) dst, sizeof(dst) - 1) == 0,
           "hash_to_curve runs");
        ok(pylon_g1_in_subgroup(&p), "P is in G1");
        pylon_g1_to_affine(&x, &y, &p);
        fp_hex(h, &x);
        is_str(h, v->px, "P.x matches");
        fp_hex(h, &y);
        is_str(h, v->py, "P.y matches");

        free(m);
    }
}


int
main(void)
{
    test_xmd();
    test_g1();
    return done_testing();
}
