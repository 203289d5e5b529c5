/* See decode.h. A thin layer over libsndfile: it opens the file itself (so a
 * missing or unreadable file gets its real errno), names the format for
 * people, and keeps libsndfile's MP3 decoder (mpg123) from writing notes on
 * the operator's terminal or into the journal. */
#include "audio/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"
#include "util/xmalloc.h"

struct decoder {
	SNDFILE *sf;
	int devnull; /* kept open so muting stderr around a read costs no open() */
	struct decoder_info info;
};

/* mpg123 writes its notes straight to fd 2, so fd 2 itself is pointed at
 * /dev/null for the duration of a libsndfile call. Returns what
 * unmute_stderr() needs: the saved fd 2, NO_STDERR when there was no fd 2
 * (it must not stay /dev/null, or the next open() would not get fd 2), or
 * -1 when muting failed and the call simply runs unmuted. */
#define NO_STDERR -2

static int mute_stderr(int devnull)
{
	int saved;

	if (devnull < 0)
		return -1;
	fflush(stderr);
	saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved < 0 && errno != EBADF)
		return -1;
	if (dup2(devnull, STDERR_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		return -1;
	}
	return saved < 0 ? NO_STDERR : saved;
}

static void unmute_stderr(int saved)
{
	if (saved == NO_STDERR) {
		close(STDERR_FILENO);
		return;
	}
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

/* With fd 0-2 closed, open() returns one of them; a decoder's own fd must
 * not be fd 2, which mute_stderr() points elsewhere during every read. */
static int above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return moved;
}

static const char *format_name(int format)
{
	switch (format & SF_FORMAT_TYPEMASK) {
	case SF_FORMAT_WAV:
	case SF_FORMAT_WAVEX:
	case SF_FORMAT_RF64:
		return "WAV";
	case SF_FORMAT_FLAC:
		return "FLAC";
	case SF_FORMAT_OGG:
		return (format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ? "OPUS" : "OGG";
	case SF_FORMAT_MPEG:
		return "MP3";
	case SF_FORMAT_AIFF:
		return "AIFF";
	case SF_FORMAT_AU:
		return "AU";
	case SF_FORMAT_CAF:
		return "CAF";
	case SF_FORMAT_W64:
		return "W64";
	default:
		return "OTHER";
	}
}

int decoder_open_file(const char *path, char *msg, size_t msglen)
{
	int fd, err;

	/* O_NONBLOCK: opening a FIFO with no writer would wait for one, and
	 * stall the daemon's loop; decoder_open_fd refuses it after.
	 * O_NOFOLLOW: what airs is the file named, in the content store or
	 * in the config, never wherever a link planted there leads. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0)
		return fd;
	err = -errno;
	if (err == -ELOOP)
		snprintf(msg, msglen, _("it is a symbolic link, and loa airs only files themselves: name the "
			 "file the link points to"));
	else
		snprintf(msg, msglen, _("cannot open it (%s); check the path and the permissions"), strerror(-err));
	return err;
}

int decoder_open(const char *path, struct decoder **out, char *msg, size_t msglen)
{
	int fd;

	*out = NULL;
	fd = decoder_open_file(path, msg, msglen);
	if (fd < 0)
		return fd;
	return decoder_open_fd(fd, out, msg, msglen);
}

int decoder_open_fd(int fd, struct decoder **out, char *msg, size_t msglen)
{
	struct decoder *d;
	SF_INFO sfi = { 0 };
	struct stat st;
	int saved, err, fl;

	*out = NULL;
	fd = above_stdio(fd);
	if (fd < 0) {
		err = -errno;
		snprintf(msg, msglen, _("cannot read it (%s)"), strerror(-err));
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		snprintf(msg, msglen, _("cannot read it (%s)"), strerror(-err));
		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(msg, msglen, _("this is a folder, not an audio file; name the file inside it"));
		close(fd);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A pipe or a device could block or never end. */
		snprintf(msg, msglen, _("this is not a regular file (a device or a pipe); give loa the audio file itself"));
		close(fd);
		return -EINVAL;
	}
	if (st.st_size == 0) {
		snprintf(msg, msglen, _("the file is empty (0 bytes); the copy or download failed — fetch it again"));
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);

	d = xcalloc(1, sizeof(*d));
	d->devnull = above_stdio(open("/dev/null", O_WRONLY | O_CLOEXEC));
	saved = mute_stderr(d->devnull);
	d->sf = sf_open_fd(fd, SFM_READ, &sfi, SF_TRUE);
	unmute_stderr(saved);
	if (!d->sf) {
		int code = sf_error(NULL);
		const char *why = sf_strerror(NULL);
		int n = (int)strlen(why);

		/* sf_open_fd closes fd itself on failure (close_desc is true). */
		if (n > 0 && why[n - 1] == '.')
			n--; /* "Format not recognised." sits inside our sentence */
		if (code == SF_ERR_MALFORMED_FILE)
			snprintf(msg, msglen,
				 _("the audio file is damaged or cut off (libsndfile: %.*s); fetch it again, "
				 "or convert it to MP3, WAV or FLAC and import it again"),
				 n, why);
		else
			snprintf(msg, msglen,
				 _("this is not an audio file loa can read (libsndfile: %.*s); "
				 "convert it to MP3, WAV or FLAC and import it again"),
				 n, why);
		if (d->devnull >= 0)
			close(d->devnull);
		free(d);
		return -EINVAL;
	}
	/* Integer PCM arrives scaled to [-1, 1]; that is libsndfile's default,
	 * stated here because peak and loudness depend on it. */
	sf_command(d->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	d->info.header_frames = sfi.frames;
	d->info.sample_rate = sfi.samplerate;
	d->info.channels = sfi.channels;
	d->info.format = sfi.format;
	d->info.format_name = format_name(sfi.format);
	*out = d;
	return 0;
}

const struct decoder_info *decoder_info(const struct decoder *d)
{
	return &d->info;
}

int64_t decoder_read(struct decoder *d, float *buf, int64_t n)
{
	sf_count_t r;
	int saved;

	if (n <= 0)
		return 0;
	saved = mute_stderr(d->devnull);
	r = sf_readf_float(d->sf, buf, n);
	unmute_stderr(saved);
	/* A short read is the normal end of a file; an error flag with it is not. */
	if (r < 0 || (r < n && sf_error(d->sf) != SF_ERR_NO_ERROR))
		return -EIO;
	return r;
}

int decoder_seek(struct decoder *d, int64_t frame)
{
	sf_count_t r;
	int saved;

	if (frame < 0)
		return -EINVAL;
	saved = mute_stderr(d->devnull);
	r = sf_seek(d->sf, frame, SEEK_SET);
	unmute_stderr(saved);
	return r < 0 ? -EIO : 0;
}

void decoder_close(struct decoder *d)
{
	int saved;

	if (!d)
		return;
	saved = mute_stderr(d->devnull);
	sf_close(d->sf);
	unmute_stderr(saved);
	if (d->devnull >= 0)
		close(d->devnull);
	free(d);
}
