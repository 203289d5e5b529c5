/* decode_floor: decodes FILE with libsndfile to nothing, reading
 * floats in blocks as loa's decoder does. Its instruction count is the
 * floor any player of that file pays, the yardstick for what loa adds
 * on top (gain, limiter, conversion to S16, ALSA, the ledger). */
#include <sndfile.h>
#include <stdio.h>

#define BLOCK 4096

int main(int argc, char **argv)
{
	static float buf[BLOCK * 8];
	SF_INFO info = { 0 };
	sf_count_t n, total = 0;
	SNDFILE *sf;

	if (argc != 2) {
		fputs("usage: decode_floor FILE\n", stderr);
		return 2;
	}
	sf = sf_open(argv[1], SFM_READ, &info);
	if (!sf || info.channels < 1 || info.channels > 8) {
		fprintf(stderr, "decode_floor: %s: %s\n", argv[1], sf_strerror(sf));
		return 1;
	}
	while ((n = sf_readf_float(sf, buf, BLOCK)) > 0)
		total += n;
	sf_close(sf);
	printf("%lld\n", (long long)total);
	return 0;
}
