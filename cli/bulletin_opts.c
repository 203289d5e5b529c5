/* The bulletin options `import` and `edit` share: --title, --topic, --plan,
 * --slot, --from, --until, --priority, each checked the same way. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "content/import.h"
#include "content/topic.h"
#include "util/timeutil.h"

#define TEXT_MAX 500

static int check_text(const struct cmd_entry *self, const char *opt, const char *s)
{
	size_t at;

	switch (text_check(s, TEXT_MAX, &at)) {
	case TEXT_OK:
		return 0;
	case TEXT_EMPTY:
		cli_error(self, _("%s is empty; give 1 to %d bytes of text"), opt, TEXT_MAX);
		break;
	case TEXT_TOO_LONG:
		cli_error(self, _("%s is %zu bytes long; at most %d bytes are kept (a Vietnamese letter "
			  "takes 2 or 3): shorten it"), opt, at, TEXT_MAX);
		break;
	case TEXT_NOT_UTF8:
		cli_error(self, _("%s is not UTF-8 text (byte %zu); type it in a UTF-8 terminal, or convert "
			  "it with iconv"), opt, at + 1);
		break;
	case TEXT_CONTROL:
		cli_error(self, _("%s holds a control character (a tab, a line break, an escape or a "
			  "direction mark) at byte %zu; give plain text on one line"), opt, at + 1);
		break;
	}
	return -EINVAL;
}

int cli_bulletin_option(const struct cmd_entry *self, int c, const char *arg,
			struct bulletin *b, struct strlist *slots)
{
	char q[TEXT_QUOTE_MAX];

	switch (c) {
	case 't':
		if (check_text(self, "--title", arg) < 0)
			return -EINVAL;
		free(b->title);
		b->title = xstrdup(arg);
		return 0;
	case 'T':
		if (!topic_valid(arg) && *arg && strspn(arg, "0123456789") == strlen(arg)) {
			cli_error(self, _("--topic '%s': there is no topic code %s; the codes are 1 to 6, and "
				  "a station's own topic is a lowercase slug such as an-ninh"), text_quote(arg, q), q);
			return -EINVAL;
		}
		if (!topic_valid(arg)) {
			cli_error(self, _("--topic '%s' is not a topic; use a code 1 to 6 or a lowercase "
				  "slug of letters, digits and '-', e.g. an-ninh"), text_quote(arg, q));
			return -EINVAL;
		}
		free(b->topic);
		b->topic = xstrdup(arg);
		return 0;
	case 'p':
		if (check_text(self, "--plan", arg) < 0)
			return -EINVAL;
		free(b->plan);
		b->plan = xstrdup(arg);
		return 0;
	case 's':
		strlist_add(slots, arg);
		return 0;
	case 'f':
		return cli_parse_day(self, "--from", arg, &b->valid_from);
	case 'u':
		return cli_parse_day(self, "--until", arg, &b->valid_until);
	case 'P':
		if (priority_parse(arg, &b->priority) < 0) {
			cli_error(self, _("--priority '%s' is not a priority; use normal, priority or emergency"),
				  text_quote(arg, q));
			return -EINVAL;
		}
		return 0;
	default:
		return 1;
	}
}

int cli_check_bulletin(struct cli *cli, const struct cmd_entry *self, const struct bulletin *b,
		       const struct strlist *slots)
{
	char msg[1024];

	if (import_check_bulletin(cli->cfg, b, slots->v, slots->n, msg, sizeof(msg)) == 0)
		return 0;
	cli_error(self, "%s", msg);
	return -EINVAL;
}

void cli_take_slots(struct bulletin *b, struct strlist *slots)
{
	for (size_t i = 0; i < b->n_slots; i++)
		free(b->slots[i]);
	free(b->slots);
	b->slots = slots->v;
	b->n_slots = slots->n;
	*slots = (struct strlist){ 0 };
}
