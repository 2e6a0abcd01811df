// The system's OpenSSL 3 (libcrypto, and libssl for TLS), under a project-unique module name.
// Only APIs that are not deprecated in OpenSSL 3.0 are used from Swift.
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

// Option bits that OpenSSL defines through a cast-and-shift macro, which Swift cannot
// import (used by CommunityMailTLS).
static inline uint64_t communitymail_ssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t communitymail_ssl_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }

// MARK: PBKDF2-HMAC-SHA256 and -SHA1 at the speed of the hash's block function
//
// OpenSSL 3.0's PKCS5_PBKDF2_HMAC runs a whole HMAC (EVP contexts, copies, finalisation)
// for each iteration. Here the HMAC key's inner and outer pad states are computed once;
// then each iteration is exactly two block compressions on fixed, already padded blocks
// (OpenSSL's SHA256_Transform / SHA1_Transform: its SHA-NI/AVX2 assembly). Those low-level
// calls are deprecated in OpenSSL 3.0 (not removed), hence the local suppression; Swift
// sees only these functions. Used by CommunityMailCrypto's PBKDF2 only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static inline void communitymail_store_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static inline uint32_t communitymail_load_be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/// PBKDF2-HMAC-SHA256 (RFC 8018 5.2) into `out`; 1 on success, 0 when a hash call failed.
/// `iterations` >= 1; any password, salt and output length.
static inline int communitymail_pbkdf2_hmac_sha256(
    const unsigned char *password, size_t password_length, const unsigned char *salt, size_t salt_length,
    uint32_t iterations, unsigned char *out, size_t out_length)
{
    enum { block = 64, digest = 32, words = 8 };
    unsigned char key[block], pad[block], u[digest], inner_block[block], outer_block[block], counter[4];
    SHA256_CTX inner, outer, work;
    uint32_t accumulated[words];
    int ok = 1;
    memset(key, 0, sizeof key);
    if (password_length > block) {
        if (SHA256(password, password_length, key) == NULL) ok = 0;
    } else if (password_length > 0) {
        memcpy(key, password, password_length);
    }
    for (int i = 0; i < block; i++) pad[i] = key[i] ^ 0x36;
    ok &= SHA256_Init(&inner);
    ok &= SHA256_Update(&inner, pad, block);
    for (int i = 0; i < block; i++) pad[i] = key[i] ^ 0x5c;
    ok &= SHA256_Init(&outer);
    ok &= SHA256_Update(&outer, pad, block);
    // The one-block messages the loop hashes: 32 digest bytes after the 64-byte pad block,
    // so 0x80, zeros and a bit length of (64 + 32) * 8 = 768.
    memset(inner_block, 0, block);
    inner_block[digest] = 0x80;
    inner_block[block - 2] = 0x03;
    memcpy(outer_block, inner_block, block);
    for (uint32_t index = 1; ok && out_length > 0; index++) {
        communitymail_store_be32(counter, index);
        work = inner;
        ok &= SHA256_Update(&work, salt, salt_length);
        ok &= SHA256_Update(&work, counter, 4);
        ok &= SHA256_Final(u, &work);
        work = outer;
        ok &= SHA256_Update(&work, u, digest);
        ok &= SHA256_Final(u, &work);
        for (int w = 0; w < words; w++) accumulated[w] = communitymail_load_be32(u + 4 * w);
        memcpy(inner_block, u, digest);
        for (uint32_t round = 1; round < iterations; round++) {
            memcpy(work.h, inner.h, sizeof work.h);
            SHA256_Transform(&work, inner_block);
            for (int w = 0; w < words; w++) communitymail_store_be32(outer_block + 4 * w, work.h[w]);
            memcpy(work.h, outer.h, sizeof work.h);
            SHA256_Transform(&work, outer_block);
            for (int w = 0; w < words; w++) {
                accumulated[w] ^= work.h[w];
                communitymail_store_be32(inner_block + 4 * w, work.h[w]);
            }
        }
        for (int w = 0; w < words; w++) communitymail_store_be32(u + 4 * w, accumulated[w]);
        size_t take = out_length < digest ? out_length : digest;
        memcpy(out, u, take);
        out += take;
        out_length -= take;
    }
    OPENSSL_cleanse(key, sizeof key); OPENSSL_cleanse(pad, sizeof pad); OPENSSL_cleanse(u, sizeof u);
    OPENSSL_cleanse(inner_block, sizeof inner_block); OPENSSL_cleanse(outer_block, sizeof outer_block);
    OPENSSL_cleanse(&inner, sizeof inner); OPENSSL_cleanse(&outer, sizeof outer); OPENSSL_cleanse(&work, sizeof work);
    OPENSSL_cleanse(accumulated, sizeof accumulated);
    return ok;
}

/// PBKDF2-HMAC-SHA1 (RFC 8018 5.2, RFC 6070) into `out`; as the SHA-256 function above.
static inline int communitymail_pbkdf2_hmac_sha1(
    const unsigned char *password, size_t password_length, const unsigned char *salt, size_t salt_length,
    uint32_t iterations, unsigned char *out, size_t out_length)
{
    enum { block = 64, digest = 20, words = 5 };
    unsigned char key[block], pad[block], u[digest], inner_block[block], outer_block[block], counter[4];
    SHA_CTX inner, outer, work;
    uint32_t accumulated[words], state[words];
    int ok = 1;
    memset(key, 0, sizeof key);
    if (password_length > block) {
        if (SHA1(password, password_length, key) == NULL) ok = 0;
    } else if (password_length > 0) {
        memcpy(key, password, password_length);
    }
    for (int i = 0; i < block; i++) pad[i] = key[i] ^ 0x36;
    ok &= SHA1_Init(&inner);
    ok &= SHA1_Update(&inner, pad, block);
    for (int i = 0; i < block; i++) pad[i] = key[i] ^ 0x5c;
    ok &= SHA1_Init(&outer);
    ok &= SHA1_Update(&outer, pad, block);
    // 20 digest bytes after the pad block: a bit length of (64 + 20) * 8 = 672 = 0x2a0.
    memset(inner_block, 0, block);
    inner_block[digest] = 0x80;
    inner_block[block - 2] = 0x02;
    inner_block[block - 1] = 0xa0;
    memcpy(outer_block, inner_block, block);
    for (uint32_t index = 1; ok && out_length > 0; index++) {
        communitymail_store_be32(counter, index);
        work = inner;
        ok &= SHA1_Update(&work, salt, salt_length);
        ok &= SHA1_Update(&work, counter, 4);
        ok &= SHA1_Final(u, &work);
        work = outer;
        ok &= SHA1_Update(&work, u, digest);
        ok &= SHA1_Final(u, &work);
        for (int w = 0; w < words; w++) accumulated[w] = communitymail_load_be32(u + 4 * w);
        memcpy(inner_block, u, digest);
        for (uint32_t round = 1; round < iterations; round++) {
            work.h0 = inner.h0; work.h1 = inner.h1; work.h2 = inner.h2; work.h3 = inner.h3; work.h4 = inner.h4;
            SHA1_Transform(&work, inner_block);
            state[0] = work.h0; state[1] = work.h1; state[2] = work.h2; state[3] = work.h3; state[4] = work.h4;
            for (int w = 0; w < words; w++) communitymail_store_be32(outer_block + 4 * w, state[w]);
            work.h0 = outer.h0; work.h1 = outer.h1; work.h2 = outer.h2; work.h3 = outer.h3; work.h4 = outer.h4;
            SHA1_Transform(&work, outer_block);
            state[0] = work.h0; state[1] = work.h1; state[2] = work.h2; state[3] = work.h3; state[4] = work.h4;
            for (int w = 0; w < words; w++) {
                accumulated[w] ^= state[w];
                communitymail_store_be32(inner_block + 4 * w, state[w]);
            }
        }
        for (int w = 0; w < words; w++) communitymail_store_be32(u + 4 * w, accumulated[w]);
        size_t take = out_length < digest ? out_length : digest;
        memcpy(out, u, take);
        out += take;
        out_length -= take;
    }
    OPENSSL_cleanse(key, sizeof key); OPENSSL_cleanse(pad, sizeof pad); OPENSSL_cleanse(u, sizeof u);
    OPENSSL_cleanse(inner_block, sizeof inner_block); OPENSSL_cleanse(outer_block, sizeof outer_block);
    OPENSSL_cleanse(&inner, sizeof inner); OPENSSL_cleanse(&outer, sizeof outer); OPENSSL_cleanse(&work, sizeof work);
    OPENSSL_cleanse(accumulated, sizeof accumulated); OPENSSL_cleanse(state, sizeof state);
    return ok;
}

/// Runs `count` SHA-256 block compressions on one fixed block: the floor under PBKDF2's
/// 2 per iteration (`bench kdf`). Returns a state word so the work cannot be elided.
static inline uint32_t communitymail_sha256_compressions(uint64_t count) {
    SHA256_CTX context;
    unsigned char data[64];
    memset(data, 0x5a, sizeof data);
    SHA256_Init(&context);
    for (uint64_t i = 0; i < count; i++) SHA256_Transform(&context, data);
    return context.h[0];
}

#pragma GCC diagnostic pop
