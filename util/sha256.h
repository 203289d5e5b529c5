/* SHA-256 as loa writes it everywhere (content names, ledger and audit
 * hashes, reports): 64 lowercase hexadecimal digits. nettle computes the
 * digest; this is the one place that turns it into text. */
#ifndef LOA_SHA256_H
#define LOA_SHA256_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 64 hex digits and the terminator. */
#define SHA256_HEX 65

/* Finishes CTX and writes its digest to HEX (terminated). */
void sha256_finish_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX]);
/* The digest of the N bytes at P, in HEX. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX]);
/* True if S is exactly 64 lowercase hexadecimal digits. */
bool sha256_hex_valid(const char *s);
/* SHA-256 of the open file FD from its first byte (its offset is left
 * alone), copying every byte read to OUT on the way when OUT >= 0, so the
 * bytes written are the bytes hashed. Returns 0 or negative errno. */
int sha256_fd(int fd, int out, char hex[SHA256_HEX]);

#endif
