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

// Option bits that OpenSSL defines through a cast-and-shift macro, which Swift cannot
// import (used by CommunityMailTLS).
static inline uint64_t communitymail_ssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t communitymail_ssl_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }
