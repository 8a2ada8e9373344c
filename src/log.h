/*
 * log.h - the one logging and fatal-error module of every smppd program
 *
 * log_init() once, then log_configure() (0, or -1 with err set: a bad
 * format or file).  Lines go to a file, syslog or stderr; the "warn"
 * and "error" forms append strerror(errno), the "x" forms do not.
 * fatal()/fatalx() exit(1) after the cleanup hook (bad environment or
 * configuration); panic() aborts (a bug).  Text from the network must
 * go through log_sanitize() (writes into the caller's buffer, returns
 * it) before it is logged.  Nothing here returns memory to free.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Python logging's numeric levels, as jasmin.cfg's log_level names them. */
#define LOGL_DEBUG	10
#define LOGL_INFO	20
#define LOGL_WARNING	30
#define LOGL_ERROR	40
#define LOGL_CRITICAL	50

#define LOG_FORMAT_DEFAULT	"%(asctime)s %(levelname)-8s %(process)d %(message)s"
#define LOG_DATEFMT_DEFAULT	"%Y-%m-%d %H:%M:%S"

struct log_conf {
	int		 level;		/* LOGL_* */
	const char	*file;		/* NULL, "" or "syslog": syslog */
	const char	*format;	/* Python logging format, NULL: default */
	const char	*datefmt;	/* strftime(3) format, NULL: default */
	const char	*name;		/* %(name)s, NULL: the program name */
	int		 foreground;	/* without a file: stderr, not syslog */
};

extern int log_level;

void	 log_init(const char *);
int	 log_configure(const struct log_conf *, char *, size_t);
int	 log_format_check(const char *, char *, size_t);
int	 log_reopen(void);
void	 log_prefix(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 log_cleanup_hook(void (*)(void));
int	 log_level_parse(const char *);
const char *log_level_name(int);
char	*log_sanitize(char *, size_t, const void *, size_t);

void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_crit(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 panic(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#define LOG_ENABLED(l)	((l) >= log_level)

#endif /* LOG_H */
