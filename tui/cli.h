/* cli.h - the command line front end: one table of commands drives dispatch, `help`
 * and the man page check (tui layer). */
#ifndef FIELDBOOK_CLI_H
#define FIELDBOOK_CLI_H

#include <stdio.h>

#include "fieldbook/role.h"
#include "fieldbook/store.h"

/* Exit statuses of every command. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli_command {
	const char *name;
	const char *usage;   /* arguments after the name */
	const char *summary; /* one line */
	int needs_store;     /* open the store before run */
	int (*run)(struct fb_store *store, int argc, char **argv);
};

extern const struct cli_command cli_commands[]; /* terminated by name NULL */

/* Runs argv (argv[0] is the program).  Returns the exit status. */
int cli_main(int argc, char **argv);

/* Prints "fieldbook: MESSAGE" on stderr and returns the exit status for err. */
int cli_fail(const struct fb_error *err);
/* Prints a usage error for cmd and returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 if it matched (the value in *out, *i
 * moved past it), else 0. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out);

/* Output helpers (cli_out.c). */
/* Writes s to f padded or cut to exactly cols terminal columns. */
void out_cell(FILE *f, const char *s, int cols);
/* Display form of a stored value of field (choice labels, masking unless unmasked). */
char *out_value(const struct fb_field *field, const char *stored, int unmasked);
/* Display form of a record's title (choice titles become labels). */
char *out_title(const char *kind, const char *title);
/* "2026-11-29T18:27:28+08:00" for an HLC. */
void out_time(char *buf, size_t cap, int64_t hlc);
/* A value made safe for one TSV cell: tabs and newlines become spaces. */
void out_tsv(FILE *f, const char *s);

/* The commands (cli_*.c). */
int cmd_init(struct fb_store *s, int argc, char **argv);
int cmd_add(struct fb_store *s, int argc, char **argv);
int cmd_edit(struct fb_store *s, int argc, char **argv);
int cmd_delete(struct fb_store *s, int argc, char **argv);
int cmd_show(struct fb_store *s, int argc, char **argv);
int cmd_list(struct fb_store *s, int argc, char **argv);
int cmd_search(struct fb_store *s, int argc, char **argv);
int cmd_fields(struct fb_store *s, int argc, char **argv);
int cmd_dump(struct fb_store *s, int argc, char **argv);
int cmd_check(struct fb_store *s, int argc, char **argv);
int cmd_rebuild(struct fb_store *s, int argc, char **argv);
int cmd_help(struct fb_store *s, int argc, char **argv);
int cmd_complete(struct fb_store *s, int argc, char **argv);
int cmd_screen(struct fb_store *s, int argc, char **argv);
/* cli_report.c */
int cmd_report(struct fb_store *s, int argc, char **argv);
/* cli_export.c, cli_import.c */
int cmd_export(struct fb_store *s, int argc, char **argv);
int cmd_import(struct fb_store *s, int argc, char **argv);
/* cli_review.c */
int cmd_review(struct fb_store *s, int argc, char **argv);
int cmd_catalogue(struct fb_store *s, int argc, char **argv);
/* cli_sync.c */
int cmd_remote(struct fb_store *s, int argc, char **argv);
int cmd_sync(struct fb_store *s, int argc, char **argv);
int cmd_bundle(struct fb_store *s, int argc, char **argv);
/* cli_publish.c: after `sync --publish` synced the remotes (ok[i]: remote i did), commits the
 * snapshot on main and pushes it to each of them; prints "published main: tree <id>". */
struct fb_sync;
int cli_publish(struct fb_sync *sync, size_t n, char *const *names, char *const *urls, const int *ok);
/* `check --snapshot-tree`: prints the tree id the published snapshot would have. */
int cli_snapshot_tree(struct fb_store *s);
/* cli_key.c, cli_unlock.c: the deployment key, operators, unlock and lock. */
int cmd_key(struct fb_store *s, int argc, char **argv);
int cmd_unlock(struct fb_store *s, int argc, char **argv);
int cmd_lock(struct fb_store *s, int argc, char **argv);
/* A passphrase: from file, else $FIELDBOOK_PASSPHRASE_FILE, else the terminal (no echo). */
int cli_passphrase(char *out, size_t cap, const char *file, const char *prompt);
/* A new passphrase for who (asked twice on a terminal). */
int cli_new_passphrase(char *out, size_t cap, const char *file, const char *who);
/* Privacy mode: resumes the unlock session or unlocks with a passphrase before command. */
int cli_unlock_gate(struct fb_store *s, const char *command);
/* For commands that run locked (sync): unlocks now in privacy mode and checks the role
 * allows a (role.h).  CLI_OK in open mode. */
int cli_unlock_for_role(struct fb_store *s, enum fb_action a);
/* Config lock.idle (seconds), default FB_IDLE_DEFAULT. */
int64_t cli_idle_seconds(void);
/* `init --join FILE`: opens the key file with its passphrase, then sets up dir with its
 * operator; nothing is created when the passphrase is wrong. */
struct fb_init_options;
int cli_join(const char *file, const char *dir, struct fb_init_options *o, struct fb_store **out);
/* --unmasked of a list, search or export (what: the kind): in privacy mode the role must
 * allow unmasked exports and reason is written to the audit trail first.  CLI_OK or the
 * exit status after the message. */
int cli_unmasked_export(struct fb_store *s, const char *what, const char *reason);
/* show --unmasked: allow[j] (one per r->fields) = the role may see field j in full; one
 * audit entry per revealed field is written first.  Needs a reason in privacy mode. */
int cli_reveal_fields(struct fb_store *s, const struct fb_record *r, const char *reason, int *allow);

#endif
