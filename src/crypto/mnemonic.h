/*
 * mnemonic.h: Substrate mnemonics.  BIP39 English words -> entropy
 * (checksum verified) -> PBKDF2-HMAC-SHA512(entropy, "mnemonic" ||
 * passphrase, 2048) -> first 32 bytes = sr25519 mini secret.  Note this
 * is Substrate's scheme, not the BIP39 seed (which hashes the words).
 *
 * The word list is not compiled in: the BIP39 document carries no
 * explicit licence, so it is read at run time from a file (Pylon's
 * tests use ../shared/fixtures/bip39-english.txt) and accepted only if
 * it is exactly the published English list (SHA-256 pinned).
 */

#ifndef PYLON_CRYPTO_MNEMONIC_H
#define PYLON_CRYPTO_MNEMONIC_H

#include <stddef.h>

#define PYLON_BIP39_WORDS           2048
#define PYLON_BIP39_MAX_ENTROPY     32
#define PYLON_MNEMONIC_MINI_BYTES   32

/* environment variable the command-line tools read the list path from */
#define PYLON_BIP39_WORDLIST_ENV    "PYLON_BIP39_WORDLIST"


typedef struct pylon_bip39_wordlist_s  pylon_bip39_wordlist_t;


/*
 * Load the BIP39 English word list from path (one word per line).  NULL on
 * error with a message naming the file in err (errlen bytes, may be 0).
 * The caller frees the list with pylon_bip39_wordlist_free().
 */
pylon_bip39_wordlist_t *pylon_bip39_wordlist_load(const char *path,
    char *err, size_t errlen);

/* Release a word list (NULL is fine). */
void pylon_bip39_wordlist_free(pylon_bip39_wordlist_t *wl);

/*
 * Decode a phrase of 12, 15, 18, 21 or 24 words (separated by any
 * whitespace) to its entropy; *entlen receives 16..32.  -1 with a reason
 * in err for unknown words, a wrong count or a bad checksum (the reason
 * names the word position, never the word).  Word lookup scans the whole
 * list in constant time per word.
 */
int pylon_mnemonic_to_entropy(unsigned char ent[PYLON_BIP39_MAX_ENTROPY],
    size_t *entlen, const char *phrase, const pylon_bip39_wordlist_t *wl,
    char *err, size_t errlen);

/*
 * Substrate mini secret from entropy and a passphrase (NULL or "" for
 * none): PBKDF2-HMAC-SHA512, 2048 rounds, first 32 bytes.
 */
int pylon_mnemonic_entropy_to_mini(
    unsigned char mini[PYLON_MNEMONIC_MINI_BYTES],
    const unsigned char *ent, size_t entlen, const char *passphrase);

/* Both steps: phrase (+ passphrase) -> mini secret.  -1 with err set. */
int pylon_mnemonic_to_mini(unsigned char mini[PYLON_MNEMONIC_MINI_BYTES],
    const char *phrase, const char *passphrase,
    const pylon_bip39_wordlist_t *wl, char *err, size_t errlen);

/*
 * PBKDF2 with HMAC-SHA512 (RFC 8018) over libsodium's HMAC, any out
 * length.  Exposed for its known-answer tests.
 */
int pylon_pbkdf2_hmac_sha512(unsigned char *out, size_t outlen,
    const unsigned char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, unsigned long iterations);

#endif /* PYLON_CRYPTO_MNEMONIC_H */
