/* stream_floor: reads URL with FFmpeg (libavformat, libavcodec) for
 * SECONDS of audio, decoding to nothing, and prints the frames decoded
 * and the CPU it used (user + system, ms). What any relay of that stream
 * pays at the least, the yardstick for what loa adds on top (resampling,
 * the slow gain, the limiter, silence detection, ALSA, the ledger).
 * Decoding only, as a player with nothing to play would. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	AVFormatContext *fmt = NULL;
	const AVCodec *codec = NULL;
	AVCodecContext *dec;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *fr = av_frame_alloc();
	struct rusage ru;
	long long frames = 0, want;
	int idx;

	if (argc != 3) {
		fputs("usage: stream_floor URL SECONDS\n", stderr);
		return 2;
	}
	av_log_set_level(AV_LOG_QUIET);
	if (avformat_open_input(&fmt, argv[1], NULL, NULL) < 0 || avformat_find_stream_info(fmt, NULL) < 0 ||
	    (idx = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0)) < 0) {
		fprintf(stderr, "stream_floor: cannot open %s\n", argv[1]);
		return 1;
	}
	dec = avcodec_alloc_context3(codec);
	avcodec_parameters_to_context(dec, fmt->streams[idx]->codecpar);
	if (avcodec_open2(dec, codec, NULL) < 0)
		return 1;
	want = atoll(argv[2]) * dec->sample_rate;
	while (frames < want && av_read_frame(fmt, pkt) >= 0) {
		if (pkt->stream_index == idx && avcodec_send_packet(dec, pkt) == 0)
			while (avcodec_receive_frame(dec, fr) == 0) {
				frames += fr->nb_samples;
				av_frame_unref(fr);
			}
		av_packet_unref(pkt);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%lld %.0f\n", frames, (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0);
	av_frame_free(&fr);
	av_packet_free(&pkt);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return 0;
}
