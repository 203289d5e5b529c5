/* See sha256.h. */
#include "util/sha256.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/xmalloc.h"

#define IO_SIZE 65536

void sha256_finish_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[SHA256_HEX - 1] = '\0';
}

void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_finish_hex(&c, hex);
}

bool sha256_hex_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == SHA256_HEX - 1;
}

static ssize_t pread_full(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r < 0 && errno == EINTR);
	return r;
}

/* pread leaves the descriptor's offset alone, wherever a decoder left it. */
int sha256_fd(int fd, int out, char hex[SHA256_HEX])
{
	struct sha256_ctx ctx;
	unsigned char *buf = xmalloc(IO_SIZE);
	off_t off = 0;
	ssize_t r;
	int err = 0;

	sha256_init(&ctx);
	while ((r = pread_full(fd, buf, IO_SIZE, off)) > 0) {
		sha256_update(&ctx, (size_t)r, buf);
		off += r;
		if (out >= 0 && (err = atomic_write_all(out, buf, (size_t)r)) < 0)
			break;
	}
	if (r < 0)
		err = -errno;
	free(buf);
	if (err == 0)
		sha256_finish_hex(&ctx, hex);
	return err;
}
