/*
 * wallet.h: bittensor (btwallet) hotkey files -> sr25519 keypairs.
 *
 * A hotkey lives at <wallet_path>/<wallet>/hotkeys/<hotkey> as a JSON
 * object of strings: secretPhrase, secretSeed ("0x" + 32-byte mini
 * secret), privateKey ("0x" + 64-byte canonical or ed25519-form secret),
 * publicKey, accountId ("0x" + 32 bytes), ss58Address.  Every secret
 * present must give the same key, and every public field must match it;
 * otherwise the file is refused as inconsistent.  Encrypted files ($NACL,
 * legacy Fernet, ansible vault) are refused: Pylon needs the key at start
 * without a password prompt.
 *
 * Errors are one line naming the file, never containing key material,
 * suitable for nginx's config-time "emerg" log.
 */

#ifndef PYLON_CRYPTO_WALLET_H
#define PYLON_CRYPTO_WALLET_H

#include <stddef.h>

#include "crypto/sr25519.h"

#define PYLON_WALLET_FILE_MAX  65536   /* larger files are refused */
#define PYLON_WALLET_ERR_MAX   512     /* enough for any error message */


/*
 * Load the hotkey file at path.  wordlist_path names the BIP39 English
 * list and is only used when the file has a secretPhrase: with it the
 * phrase is checked against the other secrets (or is the only secret);
 * NULL skips the phrase when another secret is present and is an error
 * when the phrase is the only secret.  Returns a keypair in
 * sodium_malloc()'d memory that the caller releases with
 * pylon_sr25519_keypair_free(), or NULL with the reason in err.
 */
pylon_sr25519_keypair_t *pylon_wallet_load_file(const char *path,
    const char *wordlist_path, char *err, size_t errlen);

/*
 * Load <wallet_path>/<wallet>/hotkeys/<hotkey> as pylon_wallet_load_file()
 * does.  wallet and hotkey must be plain names (no '/', not "." or "..").
 */
pylon_sr25519_keypair_t *pylon_wallet_load_hotkey(const char *wallet_path,
    const char *wallet, const char *hotkey, const char *wordlist_path,
    char *err, size_t errlen);

/*
 * Read the public key of a public key file (coldkeypub.txt,
 * hotkeys/<name>pub.txt, or a full key file, whose secrets are then
 * ignored) into pub: publicKey, accountId and ss58Address, whichever are
 * present, must agree, and at least one must be.  -1 with the reason in
 * err, naming the file.
 */
int pylon_wallet_load_public(unsigned char pub[PYLON_SR25519_PUBLIC_BYTES],
    const char *path, char *err, size_t errlen);

#endif /* PYLON_CRYPTO_WALLET_H */
