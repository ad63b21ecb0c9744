/*
 * ngx_pylon_openapi.c: the OpenAPI 3.1 document of the API and the pages
 * that show it (Litestar's /schema family, spec §3 row 19).
 *
 *   GET /schema/openapi.json            the document
 *   GET /schema/openapi.yaml, .yml      the same text (JSON is YAML 1.2)
 *   GET /schema, /schema/swagger, /schema/redoc, /schema/elements,
 *       /schema/rapidoc                 a self-contained HTML page that
 *                                       lists the operations from the
 *                                       document embedded in it (no
 *                                       script from the network)
 *
 * The document is built once per worker with jansson from the tables
 * below: every route of §3 under /api/v1 and /api/_unstable, open access
 * (/subnet/{netuid}, and Pylon v2's /openaccess and /openaccess/subnet/
 * {netuid} under /api/_unstable) and identity (/identity/{identity_name}/
 * subnet/{netuid}) with v2's guards, /identities, login, /metrics; the
 * models of §4 are one JSON text.
 */

#include "http/ngx_pylon_metrics.h"


#define NGX_PYLON_OA   1          /* under /subnet/{netuid} */
#define NGX_PYLON_ID   2          /* under /identity/{name}/subnet/{netuid} */
#define NGX_PYLON_TOP  4          /* directly under the version prefix */
#define NGX_PYLON_V1   8          /* only in /api/v1 */
#define NGX_PYLON_UG   16         /* under /api/_unstable/openaccess (v2) */
#define NGX_PYLON_UNS  32         /* only in /api/_unstable (Pylon v2) */


typedef struct {
    const char   *method;
    const char   *suffix;
    ngx_uint_t    where;
    const char   *summary;
    const char   *status;         /* success status */
    const char   *model;          /* response schema, NULL: none */
    const char   *unstable_model; /* its _unstable variant, NULL: same */
    const char   *body;           /* request body schema, NULL: none */
    const char   *errors;         /* other statuses, space-separated */
} ngx_pylon_op_t;


static ngx_pylon_op_t  ngx_pylon_ops[] = {

    { "get", "/identities", NGX_PYLON_TOP,
      "The identities and their subnets (public)", "200",
      "GetIdentitiesResponse", NULL, NULL, "" },

    { "post", "/login/identity/{identity_name}", NGX_PYLON_TOP,
      "Identity login", "200", "IdentityLoginResponse", NULL, "LoginBody",
      "400 404" },

    { "get", "/block/latest", NGX_PYLON_TOP|NGX_PYLON_V1|NGX_PYLON_UG,
      "Latest block info", "200", "BlockInfo", NULL, NULL, "500" },

    { "get", "/block/{block_number}/extrinsic/{extrinsic_index}",
      NGX_PYLON_TOP|NGX_PYLON_UG, "A decoded extrinsic of a block", "200",
      "Extrinsic",
      NULL, NULL, "404 500" },

    { "get", "/block/{block_number}/neurons", NGX_PYLON_OA|NGX_PYLON_ID,
      "Neurons of the subnet at a block", "200", "SubnetNeurons", NULL,
      NULL, "404 500 502" },

    { "get", "/block/latest/neurons", NGX_PYLON_OA|NGX_PYLON_ID,
      "Neurons of the subnet at the latest block", "200", "SubnetNeurons",
      NULL, NULL, "500" },

    { "get", "/block/recent/neurons", NGX_PYLON_OA|NGX_PYLON_ID,
      "Recently cached neurons of the subnet", "200", "SubnetNeurons", NULL,
      NULL, "503" },

    { "get", "/block/{block_number}/validators", NGX_PYLON_OA|NGX_PYLON_ID,
      "Validators of the subnet at a block, by total stake", "200",
      "SubnetValidators", NULL, NULL, "404 500 502" },

    { "get", "/block/latest/validators", NGX_PYLON_OA|NGX_PYLON_ID,
      "Validators of the subnet at the latest block, by total stake", "200",
      "SubnetValidators", NULL, NULL, "500" },

    { "get", "/block/latest/certificates", NGX_PYLON_OA|NGX_PYLON_ID,
      "Certificates of the subnet's neurons by hotkey", "200",
      "Certificates", NULL, NULL, "500" },

    { "get", "/block/latest/certificates/self", NGX_PYLON_ID,
      "The identity hotkey's certificate", "200", "Certificate", NULL,
      NULL, "404" },

    { "get", "/block/latest/certificates/{hotkey}",
      NGX_PYLON_OA|NGX_PYLON_ID, "A hotkey's certificate", "200",
      "Certificate", NULL, NULL, "404" },

    { "get", "/block/latest/commitments", NGX_PYLON_OA|NGX_PYLON_ID,
      "Commitments of the subnet at the latest block", "200",
      "SubnetCommitments", "SubnetCommitmentsFull", NULL, "500" },

    { "get", "/block/latest/commitments/self", NGX_PYLON_ID,
      "The identity hotkey's commitment", "200", "CommitmentResponse",
      "CommitmentNested", NULL, "404" },

    { "get", "/block/latest/commitments/{hotkey}",
      NGX_PYLON_OA|NGX_PYLON_ID, "A hotkey's commitment", "200",
      "CommitmentResponse", "CommitmentNested", NULL, "404" },

    { "put", "/weights", NGX_PYLON_ID,
      "Schedule setting (or committing) weights", "200", "WeightsResponse",
      NULL, "SetWeightsBody", "400" },

    { "post", "/commitments", NGX_PYLON_ID, "Set the identity's commitment",
      "201", "DetailResponse", NULL, "SetCommitmentBody", "400 502 504" },

    { "post", "/certificates/self", NGX_PYLON_ID,
      "Generate a certificate keypair and serve it on the axon", "201",
      "CertificateKeypair", NULL, "GenerateCertificateKeypairRequest",
      "400 502" },

    /* Pylon v2 (spec/pylon-v2.md §3.2) */

    { "get", "/block/latest/drand/last_stored_round", NGX_PYLON_UG,
      "The last drand round stored on chain (public)", "200",
      "GetDrandLastStoredRoundResponse", NULL, NULL, "501 502" },

    { "get", "/block/latest/prices", NGX_PYLON_UG,
      "Alpha prices of every subnet (rao per alpha)", "200", "SubnetPrices",
      NULL, NULL, "501 502" },

    { "get", "/block/{block_number}/prices", NGX_PYLON_UG,
      "Alpha prices of every subnet at a block", "200", "SubnetPrices",
      NULL, NULL, "404 501 502" },

    { "get", "/block/latest/price", NGX_PYLON_OA|NGX_PYLON_ID|NGX_PYLON_UNS,
      "Alpha price of the subnet (rao per alpha)", "200", "SubnetPrice",
      NULL, NULL, "501 502" },

    { "get", "/block/{block_number}/price",
      NGX_PYLON_OA|NGX_PYLON_ID|NGX_PYLON_UNS,
      "Alpha price of the subnet at a block", "200", "SubnetPrice", NULL,
      NULL, "404 501 502" },

    { "get", "/block/latest/commitments/revealed",
      NGX_PYLON_OA|NGX_PYLON_ID|NGX_PYLON_UNS,
      "Revealed (timelocked) commitments of the subnet by hotkey", "200",
      "SubnetRevealedCommitments", NULL, NULL, "501 502" },

    { "get", "/block/latest/commitments/revealed/self",
      NGX_PYLON_ID|NGX_PYLON_UNS,
      "The identity hotkey's revealed commitments", "200",
      "GetRevealedCommitmentsResponse", NULL, NULL, "404" },

    { "get", "/block/latest/commitments/revealed/{hotkey}",
      NGX_PYLON_OA|NGX_PYLON_ID|NGX_PYLON_UNS,
      "A hotkey's revealed commitments", "200",
      "GetRevealedCommitmentsResponse", NULL, NULL, "404" },

    { "post", "/commitments/revealed", NGX_PYLON_ID|NGX_PYLON_UNS,
      "Set a timelocked commitment, revealed by the chain later", "201",
      "SetRevealedCommitmentResponse", NULL, "SetRevealedCommitmentBody",
      "400 502 504" },

    { "put", "/mechanism/{mechanism_id}/weights",
      NGX_PYLON_ID|NGX_PYLON_UNS,
      "Schedule setting (or committing) weights of a mechanism", "200",
      "WeightsResponse", NULL, "SetWeightsBody", "400" },

    { "get", "/mechanism/{mechanism_id}/block/{block_number}/weights/status",
      NGX_PYLON_ID|NGX_PYLON_UNS,
      "Whether a weights job was accepted in the block's epoch", "200",
      "WeightsStatus", NULL, NULL, "404" },

    { NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL }
};


static const char  ngx_pylon_openapi_models[] =
"{"
"\"ErrorEnvelope\":{\"type\":\"object\",\"required\":[\"status_code\","
  "\"detail\"],\"properties\":{\"status_code\":{\"type\":\"integer\"},"
  "\"detail\":{\"type\":\"string\"},\"extra\":{\"type\":\"array\","
  "\"items\":{\"type\":\"object\",\"properties\":{\"message\":{\"type\":"
  "\"string\"},\"key\":{\"type\":\"string\"}}}}}},"
"\"Block\":{\"type\":\"object\",\"required\":[\"number\",\"hash\"],"
  "\"properties\":{\"number\":{\"type\":\"integer\"},\"hash\":{\"type\":"
  "\"string\"}}},"
"\"BlockInfo\":{\"type\":\"object\",\"required\":[\"number\",\"hash\","
  "\"timestamp\"],\"properties\":{\"number\":{\"type\":\"integer\"},"
  "\"hash\":{\"type\":\"string\"},\"timestamp\":{\"type\":\"integer\","
  "\"description\":\"Unix seconds\"}}},"
"\"AxonInfo\":{\"type\":\"object\",\"required\":[\"ip\",\"port\","
  "\"protocol\"],\"properties\":{\"ip\":{\"type\":\"string\"},\"port\":"
  "{\"type\":\"integer\"},\"protocol\":{\"type\":\"integer\"}}},"
"\"Stakes\":{\"type\":\"object\",\"required\":[\"alpha\",\"tao\","
  "\"total\"],\"properties\":{\"alpha\":{\"type\":\"number\"},\"tao\":"
  "{\"type\":\"number\"},\"total\":{\"type\":\"number\"}}},"
"\"Neuron\":{\"type\":\"object\",\"required\":[\"uid\",\"coldkey\","
  "\"hotkey\",\"active\",\"axon_info\",\"stake\",\"rank\",\"emission\","
  "\"incentive\",\"consensus\",\"trust\",\"validator_trust\","
  "\"dividends\",\"last_update\",\"validator_permit\",\"pruning_score\","
  "\"stakes\"],\"properties\":{\"uid\":{\"type\":\"integer\"},"
  "\"coldkey\":{\"type\":\"string\"},\"hotkey\":{\"type\":\"string\"},"
  "\"active\":{\"type\":\"boolean\"},\"axon_info\":{\"$ref\":"
  "\"#/components/schemas/AxonInfo\"},\"stake\":{\"type\":\"number\"},"
  "\"rank\":{\"type\":\"number\"},\"emission\":{\"type\":\"number\"},"
  "\"incentive\":{\"type\":\"number\"},\"consensus\":{\"type\":"
  "\"number\"},\"trust\":{\"type\":\"number\"},\"validator_trust\":"
  "{\"type\":\"number\"},\"dividends\":{\"type\":\"number\"},"
  "\"last_update\":{\"type\":\"integer\",\"description\":\"a block "
  "number\"},\"validator_permit\":{\"type\":\"boolean\"},"
  "\"pruning_score\":{\"type\":\"integer\"},\"stakes\":{\"$ref\":"
  "\"#/components/schemas/Stakes\"}}},"
"\"SubnetNeurons\":{\"type\":\"object\",\"required\":[\"block\","
  "\"neurons\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"neurons\":{\"type\":\"object\","
  "\"description\":\"hotkey to Neuron, in uid order\","
  "\"additionalProperties\":{\"$ref\":\"#/components/schemas/Neuron\"}}}},"
"\"SubnetValidators\":{\"type\":\"object\",\"required\":[\"block\","
  "\"validators\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"validators\":{\"type\":\"array\","
  "\"items\":{\"$ref\":\"#/components/schemas/Neuron\"}}}},"
"\"Commitment\":{\"type\":\"object\",\"required\":["
  "\"commitment_block_number\",\"hotkey\",\"commitment\"],"
  "\"properties\":{\"commitment_block_number\":{\"type\":\"integer\"},"
  "\"hotkey\":{\"type\":\"string\"},\"commitment\":{\"type\":\"string\","
  "\"description\":\"0x and lowercase hex\"}}},"
"\"CommitmentVariant\":{\"type\":\"object\",\"required\":[\"kind\","
  "\"commitment_block_number\",\"hotkey\",\"commitment\"],"
  "\"properties\":{\"kind\":{\"type\":\"string\",\"enum\":[\"hex_data\","
  "\"timelock_encrypted\"]},\"commitment_block_number\":{\"type\":"
  "\"integer\"},\"hotkey\":{\"type\":\"string\"},\"commitment\":"
  "{\"type\":\"string\",\"description\":\"0x and lowercase hex\"},"
  "\"reveal_round\":{\"type\":\"integer\",\"description\":"
  "\"timelock_encrypted only\"}}},"
"\"CommitmentNested\":{\"type\":\"object\",\"required\":[\"commitment\","
  "\"block\"],\"properties\":{\"commitment\":{\"$ref\":"
  "\"#/components/schemas/CommitmentVariant\"},\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"}}},"
"\"CommitmentResponse\":{\"type\":\"object\",\"required\":["
  "\"commitment_block_number\",\"hotkey\",\"commitment\",\"block\"],"
  "\"properties\":{\"commitment_block_number\":{\"type\":\"integer\"},"
  "\"hotkey\":{\"type\":\"string\"},\"commitment\":{\"type\":\"string\"},"
  "\"block\":{\"$ref\":\"#/components/schemas/Block\"}}},"
"\"SubnetCommitments\":{\"type\":\"object\",\"required\":[\"block\","
  "\"commitments\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"commitments\":{\"type\":\"object\","
  "\"description\":\"hotkey to 0x-hex commitment\","
  "\"additionalProperties\":{\"type\":\"string\"}}}},"
"\"SubnetCommitmentsFull\":{\"type\":\"object\",\"required\":[\"block\","
  "\"commitments\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"commitments\":{\"type\":\"object\","
  "\"description\":\"registered hotkeys only\","
  "\"additionalProperties\":{\"$ref\":"
  "\"#/components/schemas/CommitmentVariant\"}}}},"
"\"Certificate\":{\"type\":\"object\",\"required\":[\"algorithm\","
  "\"public_key\"],\"properties\":{\"algorithm\":{\"type\":\"integer\","
  "\"description\":\"1 = Ed25519\"},\"public_key\":{\"type\":\"string\","
  "\"description\":\"bare hex\"}}},"
"\"Certificates\":{\"type\":\"object\",\"description\":\"hotkey to "
  "Certificate\",\"additionalProperties\":{\"$ref\":"
  "\"#/components/schemas/Certificate\"}},"
"\"CertificateKeypair\":{\"type\":\"object\",\"required\":[\"algorithm\","
  "\"public_key\",\"private_key\"],\"properties\":{\"algorithm\":"
  "{\"type\":\"integer\"},\"public_key\":{\"type\":\"string\"},"
  "\"private_key\":{\"type\":\"string\"}}},"
"\"Extrinsic\":{\"type\":\"object\",\"required\":[\"block_number\","
  "\"extrinsic_index\",\"extrinsic_hash\",\"extrinsic_length\","
  "\"address\",\"call\"],\"properties\":{\"block_number\":{\"type\":"
  "\"integer\"},\"extrinsic_index\":{\"type\":\"integer\"},"
  "\"extrinsic_hash\":{\"type\":\"string\"},\"extrinsic_length\":"
  "{\"type\":\"integer\"},\"address\":{\"type\":[\"string\",\"null\"]},"
  "\"call\":{\"type\":\"object\",\"required\":[\"call_module\","
  "\"call_function\",\"call_args\"],\"properties\":{\"call_module\":"
  "{\"type\":\"string\"},\"call_function\":{\"type\":\"string\"},"
  "\"call_args\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
  "\"required\":[\"name\",\"type\",\"value\"],\"properties\":{\"name\":"
  "{\"type\":\"string\"},\"type\":{\"type\":\"string\"},\"value\":{}}}}}}}},"
"\"LoginBody\":{\"type\":\"object\",\"required\":[\"token\"],"
  "\"properties\":{\"token\":{\"type\":\"string\"}}},"
"\"GetIdentitiesResponse\":{\"type\":\"object\",\"required\":["
  "\"identities\"],\"properties\":{\"identities\":{\"type\":\"object\","
  "\"description\":\"identity name to netuid, in configured order\","
  "\"additionalProperties\":{\"type\":\"integer\"}}}},"
"\"IdentityLoginResponse\":{\"type\":\"object\",\"required\":[\"netuid\","
  "\"identity_name\"],\"properties\":{\"netuid\":{\"type\":\"integer\"},"
  "\"identity_name\":{\"type\":\"string\"}}},"
"\"SetWeightsBody\":{\"type\":\"object\",\"required\":[\"weights\"],"
  "\"properties\":{\"weights\":{\"type\":\"object\",\"description\":"
  "\"hotkey to weight\",\"additionalProperties\":{\"type\":\"number\"}}}},"
"\"WeightsResponse\":{\"type\":\"object\",\"required\":[\"detail\","
  "\"count\"],\"properties\":{\"detail\":{\"type\":\"string\"},\"count\":"
  "{\"type\":\"integer\"}}},"
"\"SetCommitmentBody\":{\"type\":\"object\",\"required\":[\"commitment\"],"
  "\"properties\":{\"commitment\":{\"type\":\"string\",\"description\":"
  "\"hex, optional 0x\"}}},"
"\"DetailResponse\":{\"type\":\"object\",\"required\":[\"detail\"],"
  "\"properties\":{\"detail\":{\"type\":\"string\"}}},"
"\"GenerateCertificateKeypairRequest\":{\"type\":\"object\","
  "\"properties\":{\"algorithm\":{\"type\":\"integer\",\"default\":1,"
  "\"enum\":[1]}}},"
"\"GetDrandLastStoredRoundResponse\":{\"type\":\"object\",\"required\":"
  "[\"last_stored_round\"],\"properties\":{\"last_stored_round\":"
  "{\"type\":\"integer\"}}},"
"\"SubnetPriceEntry\":{\"type\":\"object\",\"required\":[\"value\"],"
  "\"properties\":{\"value\":{\"type\":\"integer\",\"description\":"
  "\"rao of TAO per alpha\"}}},"
"\"SubnetPrices\":{\"type\":\"object\",\"required\":[\"block\","
  "\"prices\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"prices\":{\"type\":\"object\","
  "\"additionalProperties\":{\"$ref\":"
  "\"#/components/schemas/SubnetPriceEntry\"}}}},"
"\"SubnetPrice\":{\"type\":\"object\",\"required\":[\"block\","
  "\"netuid\",\"price\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"netuid\":{\"type\":\"integer\"},"
  "\"price\":{\"$ref\":\"#/components/schemas/SubnetPriceEntry\"}}},"
"\"RevealedCommitment\":{\"type\":\"object\",\"required\":"
  "[\"reveal_block_number\",\"hotkey\",\"commitment\"],\"properties\":"
  "{\"reveal_block_number\":{\"type\":\"integer\"},\"hotkey\":"
  "{\"type\":\"string\"},\"commitment\":{\"type\":\"string\"}}},"
"\"SubnetRevealedCommitments\":{\"type\":\"object\",\"required\":"
  "[\"block\",\"commitments\"],\"properties\":{\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"},\"commitments\":{\"type\":\"object\","
  "\"additionalProperties\":{\"type\":\"array\",\"items\":{\"$ref\":"
  "\"#/components/schemas/RevealedCommitment\"}}}}},"
"\"GetRevealedCommitmentsResponse\":{\"type\":\"object\",\"required\":"
  "[\"commitments\",\"block\"],\"properties\":{\"commitments\":"
  "{\"type\":\"array\",\"items\":{\"$ref\":"
  "\"#/components/schemas/RevealedCommitment\"}},\"block\":{\"$ref\":"
  "\"#/components/schemas/Block\"}}},"
"\"SetRevealedCommitmentBody\":{\"type\":\"object\",\"required\":"
  "[\"commitment\",\"blocks_until_reveal\"],\"properties\":"
  "{\"commitment\":{\"type\":\"string\"},\"blocks_until_reveal\":"
  "{\"type\":\"integer\"}}},"
"\"SetRevealedCommitmentResponse\":{\"type\":\"object\",\"required\":"
  "[\"reveal_round\"],\"properties\":{\"reveal_round\":"
  "{\"type\":\"integer\"}}},"
"\"WeightsStatus\":{\"type\":\"object\",\"required\":"
  "[\"weights_submitted\"],\"properties\":{\"weights_submitted\":"
  "{\"type\":\"boolean\"}}}"
"}";


static const char  ngx_pylon_openapi_page_head[] =
"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
"<title>Bittensor Pylon API</title>\n<style>"
"body{font-family:sans-serif;margin:2em;max-width:70em}"
"td{padding:.2em .6em;vertical-align:top}"
"code{font-size:95%}.m{font-weight:bold;text-transform:uppercase}"
"</style></head><body>\n<h1>Bittensor Pylon API</h1>\n"
"<p>The OpenAPI document: <a href=\"/schema/openapi.json\">"
"/schema/openapi.json</a>. To browse it in Swagger UI or Redoc, open that "
"URL in <a href=\"https://editor.swagger.io/\">editor.swagger.io</a>.</p>\n"
"<table id=\"ops\"></table>\n"
"<script id=\"spec\" type=\"application/json\">";

static const char  ngx_pylon_openapi_page_tail[] =
"</script>\n<script>\n"
"var s=JSON.parse(document.getElementById('spec').textContent),"
"t=document.getElementById('ops');\n"
"Object.keys(s.paths).forEach(function(p){"
"Object.keys(s.paths[p]).forEach(function(m){"
"var o=s.paths[p][m],r=t.insertRow();"
"r.insertCell().innerHTML='<span class=m>'+m+'</span>';"
"r.insertCell().innerHTML='<code></code>';"
"r.cells[1].firstChild.textContent=p;"
"r.insertCell().textContent=o.summary||'';});});\n"
"</script></body></html>\n";


static ngx_str_t  ngx_pylon_openapi_json_type =
    ngx_string("application/vnd.oai.openapi+json");
static ngx_str_t  ngx_pylon_openapi_yaml_type =
    ngx_string("application/vnd.oai.openapi");
static ngx_str_t  ngx_pylon_openapi_html_type =
    ngx_string("text/html; charset=utf-8");

static char      *ngx_pylon_openapi_doc;       /* per worker, built once */
static char      *ngx_pylon_openapi_html;


static json_t *
ngx_pylon_openapi_param(const char *name)
{
    const char  *type;

    type = (ngx_strcmp(name, "netuid") == 0
            || ngx_strcmp(name, "block_number") == 0
            || ngx_strcmp(name, "extrinsic_index") == 0
            || ngx_strcmp(name, "mechanism_id") == 0)
           ? "integer" : "string";

    return json_pack("{s:s,s:s,s:b,s:{s:s}}", "name", name, "in", "path",
                     "required", 1, "schema", "type", type);
}


static json_t *
ngx_pylon_openapi_ref(const char *model)
{
    char  ref[128];

    ngx_snprintf((u_char *) ref, sizeof(ref), "#/components/schemas/%s%Z",
                 model);

    return json_pack("{s:{s:{s:s}}}", "application/json", "schema", "$ref",
                     ref);
}


static json_t *
ngx_pylon_openapi_operation(ngx_pylon_op_t *op, const char *path,
    const char *tag, const char *model)
{
    char         name[64], opid[256], *q;
    const char  *s, *e, *d;
    json_t      *o, *params, *responses, *resp;

    o = json_object();
    params = json_array();
    responses = json_object();

    /* operationId from the method and the path; parameters from braces */

    q = opid;
    q = (char *) ngx_cpymem(q, op->method, ngx_strlen(op->method));

    for (s = path; *s && q < opid + sizeof(opid) - 2; s++) {

        if (*s == '{') {
            e = ngx_strchr(s, '}');
            if (e == NULL || (size_t) (e - s - 1) >= sizeof(name)) {
                break;
            }

            ngx_memcpy(name, s + 1, e - s - 1);
            name[e - s - 1] = '\0';
            json_array_append_new(params, ngx_pylon_openapi_param(name));
        }

        *q++ = ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
               ? *s : '_';
    }

    *q = '\0';

    json_object_set_new(o, "tags", json_pack("[s]", tag));
    json_object_set_new(o, "summary", json_string(op->summary));
    json_object_set_new(o, "operationId", json_string(opid));

    if (json_array_size(params)) {
        json_object_set_new(o, "parameters", params);

    } else {
        json_decref(params);
    }

    if (op->body) {
        json_object_set_new(o, "requestBody",
                            json_pack("{s:b,s:o}", "required", 1, "content",
                                      ngx_pylon_openapi_ref(op->body)));
    }

    resp = json_pack("{s:s}", "description", "Success");
    if (model) {
        json_object_set_new(resp, "content", ngx_pylon_openapi_ref(model));
    }

    json_object_set_new(responses, op->status, resp);

    for (s = op->errors; s && *s; s = *e ? e + 1 : e) {
        for (e = s; *e && *e != ' '; e++) { /* void */ }

        ngx_memcpy(name, s, e - s);
        name[e - s] = '\0';

        d = (name[0] == '4') ? "Client error" : "Server error";

        json_object_set_new(responses, name,
                            json_pack("{s:s,s:o}", "description", d,
                                      "content",
                                      ngx_pylon_openapi_ref(
                                          "ErrorEnvelope")));
    }

    json_object_set_new(o, "responses", responses);

    return o;
}


static void
ngx_pylon_openapi_add(json_t *paths, ngx_pylon_op_t *op, const char *path,
    const char *tag, const char *model)
{
    json_t  *item;

    item = json_object_get(paths, path);

    if (item == NULL) {
        item = json_object();
        json_object_set_new(paths, path, item);
    }

    json_object_set_new(item, op->method,
                        ngx_pylon_openapi_operation(op, path, tag, model));
}


/*
 * Pylon v2's guards on an operation (spec/pylon-v2.md §2): the bearer
 * scheme and its 401 and 403 (open access without pylon_open_access_token
 * answers without them); identities also 404 and the 308 to their subnet.
 */

static void
ngx_pylon_openapi_guard(json_t *paths, const char *path, const char *method,
    ngx_uint_t identity)
{
    json_t  *o, *responses;

    o = json_object_get(json_object_get(paths, path), method);
    responses = json_object_get(o, "responses");

    if (o == NULL || responses == NULL) {
        return;
    }

    json_object_set_new(o, "security", json_pack("[{s:[]}]", "bearer"));

    json_object_set_new(responses, "401",
                        json_pack("{s:s,s:o}", "description",
                                  "Missing or malformed Authorization header",
                                  "content",
                                  ngx_pylon_openapi_ref("ErrorEnvelope")));
    json_object_set_new(responses, "403",
                        json_pack("{s:s,s:o}", "description",
                                  "Invalid authorization token", "content",
                                  ngx_pylon_openapi_ref("ErrorEnvelope")));

    if (!identity) {
        return;
    }

    json_object_set_new(responses, "404",
                        json_pack("{s:s,s:o}", "description",
                                  "Identity not found, or not found",
                                  "content",
                                  ngx_pylon_openapi_ref("ErrorEnvelope")));
    json_object_set_new(responses, "308",
                        json_pack("{s:s,s:{s:{s:s}}}", "description",
                                  "The identity serves another subnet: "
                                  "Location names it",
                                  "headers", "Location", "description",
                                  "the path with the identity's netuid"));
}


static json_t *
ngx_pylon_openapi_build(void)
{
    char             path[256];
    json_t          *doc, *paths, *models, *metrics;
    ngx_uint_t       v;
    const char      *prefix, *model;
    json_error_t     err;
    ngx_pylon_op_t  *op;

    static const char  *prefixes[] = { "/api/v1", "/api/_unstable" };

    models = json_loads(ngx_pylon_openapi_models, 0, &err);
    if (models == NULL) {
        return NULL;
    }

    paths = json_object();

    for (v = 0; v < 2; v++) {
        prefix = prefixes[v];

        for (op = ngx_pylon_ops; op->method; op++) {

            if ((op->where & NGX_PYLON_UNS) && v != 1) {
                continue;
            }


            model = (v == 1 && op->unstable_model) ? op->unstable_model
                                                   : op->model;

            if ((op->where & NGX_PYLON_TOP)
                && !((op->where & NGX_PYLON_V1) && v != 0))
            {
                ngx_snprintf((u_char *) path, sizeof(path), "%s%s%Z", prefix,
                             op->suffix);
                ngx_pylon_openapi_add(paths, op, path,
                                      op->body ? "login"
                                      : (op->where & NGX_PYLON_UG) ? "block"
                                      : "identities", model);
            }

            if ((op->where & NGX_PYLON_UG) && v == 1) {
                ngx_snprintf((u_char *) path, sizeof(path),
                             "%s/openaccess%s%Z", prefix, op->suffix);
                ngx_pylon_openapi_add(paths, op, path, "open access", model);
                ngx_pylon_openapi_guard(paths, path, op->method, 0);
            }

            if (op->where & NGX_PYLON_OA) {
                ngx_snprintf((u_char *) path, sizeof(path),
                             "%s/subnet/{netuid}%s%Z", prefix, op->suffix);
                ngx_pylon_openapi_add(paths, op, path, "open access", model);
                ngx_pylon_openapi_guard(paths, path, op->method, 0);
            }

            if ((op->where & NGX_PYLON_OA) && v == 1) {
                ngx_snprintf((u_char *) path, sizeof(path),
                             "%s/openaccess/subnet/{netuid}%s%Z", prefix,
                             op->suffix);
                ngx_pylon_openapi_add(paths, op, path, "open access", model);
                ngx_pylon_openapi_guard(paths, path, op->method, 0);
            }

            if (op->where & NGX_PYLON_ID) {
                ngx_snprintf((u_char *) path, sizeof(path),
                             "%s/identity/{identity_name}/subnet/{netuid}%s%Z",
                             prefix, op->suffix);
                ngx_pylon_openapi_add(paths, op, path, "identity", model);
                ngx_pylon_openapi_guard(paths, path, op->method, 1);
            }
        }
    }

    json_object_set_new(paths, "/metrics", json_pack(
        "{s:{s:[s],s:s,s:s,s:s,s:[{s:[]}],s:{"
            "s:{s:s,s:{s:{s:{s:s}}}},s:{s:s,s:o}}}}",
        "get", "tags", "metrics", "summary",
        "Prometheus metrics (text format 0.0.4)", "operationId",
        "get_metrics", "description",
        "Needs Authorization: Bearer <pylon_metrics_token>.", "security",
        "bearer",
        "responses", "200", "description", "Metrics", "content",
        "text/plain", "schema", "type", "string",
        "403", "description", "Not configured, or a wrong token",
        "content", ngx_pylon_openapi_ref("ErrorEnvelope")));

    metrics = json_object_get(json_object_get(json_object_get(paths,
                  "/metrics"), "get"), "responses");

    if (metrics) {
        json_object_set_new(metrics, "401",
                            json_pack("{s:s,s:o}", "description",
                                      "Missing or malformed Authorization "
                                      "header", "content",
                                      ngx_pylon_openapi_ref("ErrorEnvelope")));
    }

    /* EVM logs (ngx_pylon_evm_openapi.c) */
    json_object_set_new(paths, "/api/_unstable/openaccess/evm/contracts/"
                               "{contract_address}/logs",
                        ngx_pylon_evm_openapi());
    json_object_set_new(paths, "/api/_unstable/openaccess/subnet/{netuid}/"
                               "block/latest/evm_associations",
                        ngx_pylon_evm_assoc_openapi(0));
    json_object_set_new(paths, "/api/_unstable/identity/{identity_name}/"
                               "subnet/{netuid}/block/latest/"
                               "evm_associations",
                        ngx_pylon_evm_assoc_openapi(1));

    doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:o,s:{s:{s:s,"
                    "s:s}}}}",
                    "openapi", "3.1.0",
                    "info", "title", "Bittensor Pylon API", "version",
                    "0.1.0", "description",
                    "REST API for the bittensor-pylon service",
                    "servers", "url", "/",
                    "paths", paths,
                    "components", "schemas", models, "securitySchemes",
                    "bearer", "type", "http", "scheme", "bearer");

    return doc;
}


static ngx_int_t
ngx_pylon_openapi_ready(ngx_log_t *log)
{
    json_t  *doc;
    char    *embedded;
    size_t   len;

    if (ngx_pylon_openapi_doc) {
        return NGX_OK;
    }

    doc = ngx_pylon_openapi_build();
    if (doc == NULL) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "pylon: openapi build failed");
        return NGX_ERROR;
    }

    ngx_pylon_openapi_doc = json_dumps(doc, JSON_COMPACT);

    /* "\/" in the copy embedded in HTML: no "</script>" can end it */
    embedded = json_dumps(doc, JSON_COMPACT|JSON_ESCAPE_SLASH);
    json_decref(doc);

    if (ngx_pylon_openapi_doc == NULL || embedded == NULL) {
        free(embedded);
        free(ngx_pylon_openapi_doc);
        ngx_pylon_openapi_doc = NULL;
        return NGX_ERROR;
    }

    len = sizeof(ngx_pylon_openapi_page_head) - 1 + ngx_strlen(embedded)
          + sizeof(ngx_pylon_openapi_page_tail);

    ngx_pylon_openapi_html = malloc(len);
    if (ngx_pylon_openapi_html == NULL) {
        free(embedded);
        free(ngx_pylon_openapi_doc);
        ngx_pylon_openapi_doc = NULL;
        return NGX_ERROR;
    }

    ngx_snprintf((u_char *) ngx_pylon_openapi_html, len, "%s%s%s%Z",
                 ngx_pylon_openapi_page_head, embedded,
                 ngx_pylon_openapi_page_tail);
    free(embedded);

    return NGX_OK;
}


ngx_int_t
ngx_pylon_openapi_json(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    if (ngx_pylon_openapi_ready(r->connection->log) != NGX_OK) {
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    return ngx_pylon_send_typed(r, NGX_HTTP_OK,
                                  &ngx_pylon_openapi_json_type,
                                  (u_char *) ngx_pylon_openapi_doc,
                                  ngx_strlen(ngx_pylon_openapi_doc));
}


ngx_int_t
ngx_pylon_openapi_yaml(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    if (ngx_pylon_openapi_ready(r->connection->log) != NGX_OK) {
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    return ngx_pylon_send_typed(r, NGX_HTTP_OK,
                                  &ngx_pylon_openapi_yaml_type,
                                  (u_char *) ngx_pylon_openapi_doc,
                                  ngx_strlen(ngx_pylon_openapi_doc));
}


ngx_int_t
ngx_pylon_openapi_page(ngx_http_request_t *r, ngx_pylon_ctx_t *ctx)
{
    if (ngx_pylon_openapi_ready(r->connection->log) != NGX_OK) {
        return ngx_pylon_send_error(r, NGX_HTTP_INTERNAL_SERVER_ERROR,
                                    "Internal Server Error");
    }

    return ngx_pylon_send_typed(r, NGX_HTTP_OK,
                                  &ngx_pylon_openapi_html_type,
                                  (u_char *) ngx_pylon_openapi_html,
                                  ngx_strlen(ngx_pylon_openapi_html));
}
