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

// The per-iteration work below is written as unrolled statements on 32-bit words with a
// byte swap (one instruction even unoptimised): debug builds compile this header without
// optimisation, and loops or helper calls there would double a derivation's time.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define COMMUNITYMAIL_BIG_ENDIAN_WORD(x) (x)
#else
#define COMMUNITYMAIL_BIG_ENDIAN_WORD(x) __builtin_bswap32(x)
#endif
#define COMMUNITYMAIL_EACH5(S) S(0) S(1) S(2) S(3) S(4)
#define COMMUNITYMAIL_EACH8(S) S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7)

/// PBKDF2-HMAC-SHA256 (RFC 8018 5.2) into `out`; 1 on success, 0 when a hash call failed
/// or the output is too long. `iterations` >= 1; any password and salt; an output of at
/// most 2^32 - 1 blocks (step 1 of 5.2: "derived key too long"; the block index is 32 bits).
static inline int communitymail_pbkdf2_hmac_sha256(
    const unsigned char *password, size_t password_length, const unsigned char *salt, size_t salt_length,
    uint32_t iterations, unsigned char *out, size_t out_length)
{
    enum { block = 64, digest = 32, words = 8 };
    if (out_length / digest >= 0xffffffffu) return 0;
    unsigned char key[block], pad[block], u[digest], counter[4];
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
    // The one-block messages the loop hashes, as the big-endian words SHA-256 reads: 32
    // digest bytes after the 64-byte pad block, so 0x80, zeros and a bit length of
    // (64 + 32) * 8 = 768.
    uint32_t inner_words[16], outer_words[16];
    memset(inner_words, 0, sizeof inner_words);
    inner_words[8] = COMMUNITYMAIL_BIG_ENDIAN_WORD(0x80000000u);
    inner_words[15] = COMMUNITYMAIL_BIG_ENDIAN_WORD(768u);
    memcpy(outer_words, inner_words, sizeof outer_words);
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
        memcpy(inner_words, u, digest);
        for (uint32_t round = 1; round < iterations; round++) {
#define COMMUNITYMAIL_INNER_STATE(i) work.h[i] = inner.h[i];
#define COMMUNITYMAIL_OUTER_STATE(i) work.h[i] = outer.h[i];
#define COMMUNITYMAIL_TO_OUTER(i) outer_words[i] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h[i]);
#define COMMUNITYMAIL_ACCUMULATE(i) accumulated[i] ^= work.h[i]; inner_words[i] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h[i]);
            COMMUNITYMAIL_EACH8(COMMUNITYMAIL_INNER_STATE)
            SHA256_Transform(&work, (const unsigned char *)inner_words);
            COMMUNITYMAIL_EACH8(COMMUNITYMAIL_TO_OUTER)
            COMMUNITYMAIL_EACH8(COMMUNITYMAIL_OUTER_STATE)
            SHA256_Transform(&work, (const unsigned char *)outer_words);
            COMMUNITYMAIL_EACH8(COMMUNITYMAIL_ACCUMULATE)
        }
        for (int w = 0; w < words; w++) communitymail_store_be32(u + 4 * w, accumulated[w]);
        size_t take = out_length < digest ? out_length : digest;
        memcpy(out, u, take);
        out += take;
        out_length -= take;
    }
    OPENSSL_cleanse(key, sizeof key); OPENSSL_cleanse(pad, sizeof pad); OPENSSL_cleanse(u, sizeof u);
    OPENSSL_cleanse(inner_words, sizeof inner_words); OPENSSL_cleanse(outer_words, sizeof outer_words);
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
    if (out_length / digest >= 0xffffffffu) return 0;
    unsigned char key[block], pad[block], u[digest], counter[4];
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
    // 20 digest bytes after the pad block: a bit length of (64 + 20) * 8 = 672.
    uint32_t inner_words[16], outer_words[16];
    memset(inner_words, 0, sizeof inner_words);
    inner_words[5] = COMMUNITYMAIL_BIG_ENDIAN_WORD(0x80000000u);
    inner_words[15] = COMMUNITYMAIL_BIG_ENDIAN_WORD(672u);
    memcpy(outer_words, inner_words, sizeof outer_words);
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
        memcpy(inner_words, u, digest);
        for (uint32_t round = 1; round < iterations; round++) {
            work.h0 = inner.h0; work.h1 = inner.h1; work.h2 = inner.h2; work.h3 = inner.h3; work.h4 = inner.h4;
            SHA1_Transform(&work, (const unsigned char *)inner_words);
            outer_words[0] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h0); outer_words[1] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h1);
            outer_words[2] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h2); outer_words[3] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h3);
            outer_words[4] = COMMUNITYMAIL_BIG_ENDIAN_WORD(work.h4);
            work.h0 = outer.h0; work.h1 = outer.h1; work.h2 = outer.h2; work.h3 = outer.h3; work.h4 = outer.h4;
            SHA1_Transform(&work, (const unsigned char *)outer_words);
            state[0] = work.h0; state[1] = work.h1; state[2] = work.h2; state[3] = work.h3; state[4] = work.h4;
#define COMMUNITYMAIL_ACCUMULATE_SHA1(i) accumulated[i] ^= state[i]; inner_words[i] = COMMUNITYMAIL_BIG_ENDIAN_WORD(state[i]);
            COMMUNITYMAIL_EACH5(COMMUNITYMAIL_ACCUMULATE_SHA1)
        }
        for (int w = 0; w < words; w++) communitymail_store_be32(u + 4 * w, accumulated[w]);
        size_t take = out_length < digest ? out_length : digest;
        memcpy(out, u, take);
        out += take;
        out_length -= take;
    }
    OPENSSL_cleanse(key, sizeof key); OPENSSL_cleanse(pad, sizeof pad); OPENSSL_cleanse(u, sizeof u);
    OPENSSL_cleanse(inner_words, sizeof inner_words); OPENSSL_cleanse(outer_words, sizeof outer_words);
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

// The helpers' macros stay in this header (it is included by every module that imports it).
#undef COMMUNITYMAIL_BIG_ENDIAN_WORD
#undef COMMUNITYMAIL_EACH5
#undef COMMUNITYMAIL_EACH8
#undef COMMUNITYMAIL_INNER_STATE
#undef COMMUNITYMAIL_OUTER_STATE
#undef COMMUNITYMAIL_TO_OUTER
#undef COMMUNITYMAIL_ACCUMULATE
#undef COMMUNITYMAIL_ACCUMULATE_SHA1

#pragma GCC diagnostic pop
