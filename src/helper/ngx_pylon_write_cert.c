/*
 * ngx_pylon_write_cert.c: the "certificate" job's attempt (see
 * ngx_pylon_writer.h): an ed25519 keypair served with serve_axon_tls
 * at the neuron's current axon, handed back sealed (crypto/seal.h).
 *
 * Ownership: the plaintext keypair lives on this file's stack only and
 * is wiped before any return; the sealed reply is w->secret (wiped by
 * ngx_pylon_write_end) and, for a helper taking the job over, the job's
 * params ("sealed", "certificate"); the write belongs to the writer
 * (ngx_pylon_writer_int.h).
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "helper/ngx_pylon_writer_int.h"
#include "crypto/seal.h"
#include "chain/hex.h"
#include "store/jobs.h"
#include "store/keys.h"


#define NGX_PYLON_AXON_VERSION      9003000


static ngx_int_t ngx_pylon_certificate_kept(ngx_pylon_write_t *w);


/* the identity's neuron on its subnet, from the cached neurons */

static json_t *
ngx_pylon_own_neuron(ngx_pylon_write_t *w, json_t **neurons)
{
    *neurons = ngx_pylon_write_cached(w, PYLON_ROUTE_NEURONS);

    return json_object_get(json_object_get(*neurons, "neurons"),
                           (char *) w->id->ss58);
}


/* "1.2.3.4" or an IPv6 address as the chain's u128 and its type */

static ngx_int_t
ngx_pylon_ip_u128(const char *ip, char *dec, size_t size, int *type)
{
    int              i;
    u_char           b[16];
    unsigned __int128  v;
    char             tmp[48], *p;

    if (inet_pton(AF_INET, ip, b) == 1) {
        *type = 4;
        v = ((unsigned) b[0] << 24) | ((unsigned) b[1] << 16)
            | ((unsigned) b[2] << 8) | b[3];

    } else if (inet_pton(AF_INET6, ip, b) == 1) {
        *type = 6;
        v = 0;
        for (i = 0; i < 16; i++) {
            v = (v << 8) | b[i];
        }

    } else {
        return NGX_ERROR;
    }

    p = tmp + sizeof(tmp) - 1;
    *p = '\0';

    do {
        *--p = (char) ('0' + (int) (v % 10));
        v /= 10;
    } while (v);

    if ((size_t) (tmp + sizeof(tmp) - p) > size) {
        return NGX_ERROR;
    }

    ngx_memcpy(dec, p, tmp + sizeof(tmp) - p);

    return NGX_OK;
}


/*
 * An ed25519 keypair, served as the neuron's certificate with its current
 * axon (protocol 4, version 9003000), as turbobt does.
 */

void
ngx_pylon_certificate_attempt(ngx_pylon_write_t *w)
{
    int                  type;
    char                 ipdec[48], cert[2 + 2 * 33 + 1];
    u_char               pk[crypto_sign_PUBLICKEYBYTES];
    u_char               sk[crypto_sign_SECRETKEYBYTES];
    u_char               plain[200], *p;
    json_t              *neurons, *neuron, *axon, *args, *ipv;
    const pylon_meta_t  *meta;

    meta = ngx_pylon_write_runtime(w);
    neuron = ngx_pylon_own_neuron(w, &neurons);

    if (meta == NULL || neurons == NULL) {
        json_decref(neurons);
        ngx_pylon_write_retry(w, "subnet data not available yet");
        return;
    }

    if (neuron == NULL) {
        json_decref(neurons);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL,
                            "Could not generate certificate pair.");
        return;
    }

    axon = json_object_get(neuron, "axon_info");
    ipv = json_object_get(axon, "ip");

    if (!json_is_string(ipv)
        || ngx_pylon_ip_u128(json_string_value(ipv), ipdec, sizeof(ipdec),
                             &type) != NGX_OK)
    {
        json_decref(neurons);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL,
                            "Could not generate certificate pair.");
        return;
    }

    if (w->secret_len == 0 && ngx_pylon_certificate_kept(w) != NGX_OK) {
        json_decref(neurons);
        ngx_pylon_write_end(w, PYLON_JOB_FAILED, 502, NULL,
                            "Could not generate certificate pair.");
        return;
    }

    if (w->secret_len == 0) {
        crypto_sign_keypair(pk, sk);

        /* the 32-byte seed is the private key, as turbobt's */
        p = ngx_sprintf(plain, "{\"algorithm\":1,\"public_key\":\"");
        p = ngx_hex_dump(p, pk, sizeof(pk));
        p = ngx_cpymem(p, "\",\"private_key\":\"", 17);
        p = ngx_hex_dump(p, sk, 32);
        p = ngx_cpymem(p, "\"}", 2);

        sodium_memzero(sk, sizeof(sk));

        if (pylon_seal_hex_len(p - plain) > sizeof(w->secret)
            || pylon_seal((char *) w->secret, w->h->pmcf->session_key,
                          plain, p - plain) != 0)
        {
            sodium_memzero(plain, sizeof(plain));
            json_decref(neurons);
            ngx_pylon_write_end(w, PYLON_JOB_FAILED, 500, NULL,
                                "cannot seal the keypair");
            return;
        }

        sodium_memzero(plain, sizeof(plain));
        w->secret_len = ngx_strlen(w->secret);
        ngx_memcpy(w->pub, pk, sizeof(pk));

        /* kept sealed with the job for a helper taking it over */
        *ngx_hex_dump((u_char *) cert, pk, sizeof(pk)) = '\0';

        if (json_object_set_new(w->job->params, "sealed",
                                json_string((char *) w->secret)) != 0
            || json_object_set_new(w->job->params, "certificate",
                                   json_string(cert)) != 0
            || pylon_job_note(w->h->store, w->job->id, "params",
                              w->job->params) != 0)
        {
            json_object_del(w->job->params, "sealed");
            sodium_memzero(w->secret, sizeof(w->secret));
            w->secret_len = 0;
            json_decref(neurons);
            ngx_pylon_write_retry(w, "cannot record the certificate");
            return;
        }
    }

    cert[0] = '0';
    cert[1] = 'x';
    cert[2] = '0';
    cert[3] = '1';
    *ngx_hex_dump((u_char *) cert + 4, w->pub, 32) = '\0';

    args = json_pack("{s:i, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:s}",
                     "netuid", (int) w->netuid,
                     "version", NGX_PYLON_AXON_VERSION,
                     "ip", ipdec,
                     "port", (int) json_integer_value(json_object_get(axon,
                                                                   "port")),
                     "ip_type", type, "protocol", 4,
                     "placeholder1", 0, "placeholder2", 0,
                     "certificate", cert);
    json_decref(neurons);

    ngx_pylon_write_submit(w, meta, "SubtensorModule", "serve_axon_tls",
                           args);
}


/*
 * The keypair a certificate job drew on an earlier attempt or in the
 * helper it is taken over from, kept sealed in its params ("sealed",
 * "certificate": the public key in hex).  Restored into w->secret and
 * w->pub when this cycle's session key opens it; the plaintext is wiped
 * here.  A reload rotates the key: a job that then has a recorded
 * extrinsic (carrying the old key) fails (NGX_ERROR) rather than reply
 * with a keypair that is not on chain; without one, a new pair is drawn
 * (NGX_OK, nothing restored).
 */

static ngx_int_t
ngx_pylon_certificate_kept(ngx_pylon_write_t *w)
{
    u_char       plain[200], pub[32];
    size_t       len, n;
    const char  *sealed, *hex;

    sealed = json_string_value(json_object_get(w->job->params, "sealed"));
    hex = json_string_value(json_object_get(w->job->params, "certificate"));

    if (sealed == NULL || hex == NULL) {
        return w->job->xt == NULL ? NGX_OK : NGX_ERROR;
    }

    if (ngx_strlen(sealed) < sizeof(w->secret)
        && ngx_strlen(hex) == 2 * sizeof(pub)
        && pylon_hex_decode(pub, sizeof(pub), &n, hex, ngx_strlen(hex)) == 0
        && pylon_unseal(plain, sizeof(plain), &len, w->h->pmcf->session_key,
                        sealed) == 0
        && ngx_strlcasestrn(plain, plain + len, (u_char *) hex,
                            2 * sizeof(pub) - 1) != NULL)
    {
        sodium_memzero(plain, sizeof(plain));
        ngx_cpystrn(w->secret, (u_char *) sealed, sizeof(w->secret));
        w->secret_len = ngx_strlen(w->secret);
        ngx_memcpy(w->pub, pub, sizeof(pub));

        ngx_log_error(NGX_LOG_NOTICE, w->h->log, 0,
                      "pylon helper: certificate job %s: the keypair of "
                      "its first attempt is kept", w->job->id);
        return NGX_OK;
    }

    sodium_memzero(plain, sizeof(plain));

    if (w->job->xt != NULL) {
        ngx_log_error(NGX_LOG_ERR, w->h->log, 0,
                      "pylon helper: certificate job %s: its recorded "
                      "extrinsic carries a keypair sealed by an earlier "
                      "cycle, which cannot be returned", w->job->id);
        return NGX_ERROR;
    }

    json_object_del(w->job->params, "sealed");
    json_object_del(w->job->params, "certificate");

    return NGX_OK;
}
