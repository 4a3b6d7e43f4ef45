/* cli_unlock.c - passphrases, the unlock gate of every command, `unlock` and `lock`
 * (tui layer).
 *
 * In privacy mode (unlock.h) a command that reads or writes records first resumes the
 * unlock session, else unlocks with a passphrase read from $FIELDBOOK_PASSPHRASE_FILE (a
 * file's first line: scripts and tests) or from the terminal with echo off.  The
 * passphrase itself never goes into argv, the environment, the repository or a log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "fieldbook/audit.h"
#include "fieldbook/config.h"
#include "fieldbook/i18n.h"
#include "fieldbook/unlock.h"

/* Reads the first line of path into out (the newline cut).  -1 if it cannot. */
static int read_first_line(char *out, size_t cap, const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	if (!fgets(out, (int)cap, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return 0;
}

/* Reads a line from the terminal without echo. */
static int read_tty(char *out, size_t cap, const char *prompt)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int rc = -1;

	if (!tty)
		return -1;
	fputs(prompt, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
		if (fgets(out, (int)cap, tty)) {
			out[strcspn(out, "\r\n")] = '\0';
			rc = 0;
		}
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc;
}

int cli_passphrase(char *out, size_t cap, const char *file, const char *prompt)
{
	const char *env = getenv("FIELDBOOK_PASSPHRASE_FILE");

	if (!file && env && *env)
		file = env;
	if (file) {
		struct stat st;
		if (stat(file, &st) == 0 && (st.st_mode & 077)) {
			fprintf(stderr, _("fieldbook: the passphrase file %s can be read by others: chmod 600 %s\n"),
				file, file);
			return CLI_FAIL;
		}
		if (read_first_line(out, cap, file) == 0)
			return CLI_OK;
		fprintf(stderr, _("fieldbook: cannot read the passphrase file %s\n"), file);
		return CLI_FAIL;
	}
	if (read_tty(out, cap, prompt) == 0)
		return CLI_OK;
	fprintf(stderr, _("fieldbook: a passphrase is needed and there is no terminal to ask on: "
			  "set FIELDBOOK_PASSPHRASE_FILE to a file (mode 0600) holding it\n"));
	return CLI_FAIL;
}

int cli_new_passphrase(char *out, size_t cap, const char *file, const char *who)
{
	char again[256], prompt[200];
	int rc;

	if (file)
		return cli_passphrase(out, cap, file, "");
	snprintf(prompt, sizeof prompt, _("New passphrase for %s: "), who);
	if ((rc = cli_passphrase(out, cap, NULL, prompt)) != CLI_OK)
		return rc;
	if (getenv("FIELDBOOK_PASSPHRASE_FILE") && *getenv("FIELDBOOK_PASSPHRASE_FILE"))
		return CLI_OK;
	if (read_tty(again, sizeof again, _("Once more: ")) < 0 || strcmp(again, out)) {
		fb_crypto_wipe(again, sizeof again);
		fprintf(stderr, _("fieldbook: the two passphrases differ; nothing was changed\n"));
		return CLI_FAIL;
	}
	fb_crypto_wipe(again, sizeof again);
	return CLI_OK;
}

/* The idle time: config lock.idle (seconds), else the default. */
static int64_t idle_seconds(void)
{
	struct fb_config *cfg = NULL;
	char path[4096];
	const char *v;
	int64_t idle = FB_IDLE_DEFAULT;

	if (fb_config_default_path(path, sizeof path, NULL) == 0 && fb_config_load(&cfg, path, NULL) == 0 &&
	    (v = fb_config_get(cfg, "lock.idle")) && strspn(v, "0123456789") == strlen(v) && *v &&
	    strlen(v) < 9)
		idle = atoll(v) > 0 ? atoll(v) : FB_IDLE_DEFAULT;
	fb_config_free(cfg);
	return idle;
}

int64_t cli_idle_seconds(void)
{
	return idle_seconds();
}

/* Unlocks with a passphrase from the file, the environment or the terminal. */
static int unlock_with_passphrase(struct fb_store *s)
{
	struct fb_error err = {0};
	char pass[256];
	int rc;

	if ((rc = cli_passphrase(pass, sizeof pass, NULL, _("fieldbook passphrase: "))) != CLI_OK)
		return rc;
	rc = fb_unlock(s, pass, fb_store_operator(s), &err);
	fb_crypto_wipe(pass, sizeof pass);
	if (rc < 0) {
		fprintf(stderr, _("fieldbook: unlock failed: %s\n"), err.message);
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cli_unlock_gate(struct fb_store *s, const char *command)
{
	struct fb_error err = {0};

	if (!s || !fb_privacy_mode(fb_store_dir(s)))
		return CLI_OK;
	fb_unlock_set_required(1);
	/* moving sealed data needs no operator; unlock and lock handle themselves */
	if (!strcmp(command, "sync") || !strcmp(command, "bundle") || !strcmp(command, "unlock") ||
	    !strcmp(command, "lock") || !strcmp(command, "help") || !strcmp(command, "fields"))
		return CLI_OK;
	if (fb_session_resume(s, &err) == 0)
		return CLI_OK;
	return unlock_with_passphrase(s);
}

int cmd_unlock(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};
	int64_t idle = idle_seconds();
	int rc;

	if (argc != 1)
		return cli_usage("unlock", _("unlock takes no arguments"));
	if (!fb_privacy_mode(fb_store_dir(s))) {
		printf(_("no operators are set up on this computer: nothing to unlock "
			 "(`fieldbook key create` sets up the deployment key)\n"));
		return CLI_OK;
	}
	if ((rc = unlock_with_passphrase(s)) != CLI_OK)
		return rc;
	if (fb_session_save(s, idle, &err) < 0)
		return cli_fail(&err);
	printf(_("unlocked as %s (%s); locks after %lld seconds without use (`fieldbook lock` locks now)\n"),
	       fb_store_operator(s), fb_role_name(fb_role_current()), (long long)idle);
	return CLI_OK;
}

int cmd_lock(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};

	if (argc != 1)
		return cli_usage("lock", _("lock takes no arguments"));
	if (fb_session_end(s, &err) < 0)
		return cli_fail(&err);
	fb_lock();
	printf(_("locked\n"));
	return CLI_OK;
}

int cli_unmasked_export(struct fb_store *s, const char *what, const char *reason)
{
	struct fb_error err = {0};

	if (!fb_audit_enabled(s))
		return CLI_OK;
	if (fb_role_allows(s, FB_ACT_EXPORT_UNMASKED, &err) < 0 ||
	    fb_audit_add(s, FB_AUDIT_EXPORT_UNMASKED, NULL, what, reason, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_reveal_fields(struct fb_store *s, const struct fb_record *r, const char *reason, int *allow)
{
	struct fb_error err = {0};
	int rc = fb_audit_reveal_record(s, r, reason, allow, &err);

	if (rc == FB_EINVAL && !strcmp(err.field, "reason")) {
		fprintf(stderr, _("fieldbook: give a reason for seeing full values: --reason TEXT (it is "
				  "kept in the audit trail)\n"));
		return CLI_USAGE;
	}
	return rc < 0 ? cli_fail(&err) : CLI_OK;
}

int cli_unlock_for_role(struct fb_store *s, enum fb_action a)
{
	struct fb_error err = {0};
	int rc;

	if (!s || !fb_privacy_mode(fb_store_dir(s)))
		return CLI_OK;
	if (!fb_unlocked() && fb_session_resume(s, &err) < 0 && (rc = unlock_with_passphrase(s)) != CLI_OK)
		return rc;
	if (fb_role_allows(s, a, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}
