/*
 * rpc.h: JSON-RPC 2.0 messages as a substrate node speaks them.
 *
 * Requests carry a numeric id and positional params.  What comes back is
 * either a response (same id, "result" or "error") or a subscription
 * notification (no id, "params": {"subscription", "result"}).  This file
 * only frames and classifies messages; the helper's session owns ids,
 * pending calls and subscriptions.  Pure C over jansson.
 */

#ifndef PYLON_CHAIN_RPC_H
#define PYLON_CHAIN_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PYLON_RPC_RESPONSE      1
#define PYLON_RPC_NOTIFICATION  2


typedef struct {
    int          kind;          /* PYLON_RPC_RESPONSE or _NOTIFICATION */
    uint64_t     id;            /* responses */
    json_t      *result;        /* borrowed from root; may be JSON null */
    json_t      *error;         /* responses: the error object or NULL */
    const char  *method;        /* notifications */
    const char  *subscription;  /* notifications */
    json_t      *root;          /* owned: pylon_rpc_message_free() */
} pylon_rpc_message_t;


/*
 * Serialises a request.  Takes ownership of params (a JSON array; NULL
 * means []).  Returns a malloc'd NUL-terminated string the caller frees,
 * or NULL on allocation failure.
 */
char *pylon_rpc_request(uint64_t id, const char *method, json_t *params);

/*
 * Parses one received message.  Returns 0 and fills m (release it with
 * pylon_rpc_message_free), or -1 with a reason in err for anything that is
 * not a well-formed JSON-RPC response or notification.
 */
int pylon_rpc_parse(pylon_rpc_message_t *m, const char *buf, size_t len,
    char *err, size_t errlen);

/* Releases a parsed message. */
void pylon_rpc_message_free(pylon_rpc_message_t *m);

/*
 * Writes a one-line description of an error object ("code: message
 * (data)") into buf.
 */
void pylon_rpc_error_text(const json_t *error, char *buf, size_t size);

#endif /* PYLON_CHAIN_RPC_H */
