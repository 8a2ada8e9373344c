/*
 * harness.h - integration tests: a private smppd (and smppconn) in a
 * temporary folder on a free loopback port, and a raw SMPP client
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pdu.h"

/* A sanitizer build: a test that preloads a library cannot run there. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED	1
#endif
#endif

struct th {
	char	 dir[512];	/* the temporary folder */
	char	 conf[600];	/* its smppd.conf */
	char	 spool[600];
	char	 db[600];
	char	 log[600];
	char	 connlog[600];
	int	 port;
	pid_t	 pid;		/* smppd master */
	pid_t	 connpid;	/* smppconn, when started */
	char	 server_keys[2048];	/* extra [smpp-server] lines */
	char	 spool_keys[1024];	/* extra [spool] lines */
	char	 sections[4096];	/* extra sections */
	char	 conn_keys[1024];	/* extra [smppconn] lines */
	char	 userdb_keys[1024];	/* extra [userdb] lines */
};

/* A client connection and the last PDU it received. */
struct tc {
	int	 fd;
	uint8_t	 buf[128 * 1024];
	size_t	 len;		/* octets in buf */
	uint8_t	 pdu[128 * 1024];
	struct pdu p;		/* points into pdu[] */
	uint32_t seq;
	uint8_t	*stash;		/* deliver_sm answered by tc_expect() */
	size_t	 stashlen;	/* ... for tc_deliver() to return */
};

extern char	 th_bindir[];

/*
 * A test that cannot run here is not added: th_skip() says so, and
 * main returns th_exit(failed): 1 when a test failed, else 77 (SKIP)
 * when one was skipped -- 1 too when CI=true, where every tool a test
 * needs is installed and a skip would hide a regression -- else 0.
 */
void	 th_skip(const char *, const char *);
int	 th_exit(int);

int	 th_free_port(void);
void	 th_init(struct th *, const char *);
void	 th_write_conf(struct th *);
void	 th_user(struct th *, const char *, const char *, ...);
int	 th_run(const char *, ...);
void	 th_start(struct th *);
void	 th_start_conn(struct th *);
void	 th_kill_conn(struct th *, int);
void	 th_kill_tree(pid_t);
int	 th_session_pids(struct th *, const char *, pid_t *, int);
void	 th_stop(struct th *);
void	 th_cleanup(struct th *);
int	 th_wait_exit(pid_t, int, int *);
int	 th_wait_port_closed(int, int);
int	 th_wait_pidfile_free(struct th *, int);
int	 th_log_has(const char *, const char *);
int	 th_log_count(const char *, const char *);
int	 th_wait_log(const char *, const char *, int);
int	 th_wait_log_from(const char *, long, const char *, int);
long	 th_log_size(const char *);
int	 th_count_files(const char *);
int	 th_wait_files(const char *, int, int);
int	 th_wait_empty(const char *, int);
int	 th_run_io(const char *, char *, size_t, char *, size_t,
	    const char *, ...);
pid_t	 th_spawn_out(int *, const char *, ...);
int	 th_read_line(int, char *, size_t, int);
void	 th_deliver(struct th *, const char *, const struct pdu *,
	    const char *);
void	 th_deliver_n(struct th *, const char *, int);
int	 th_sink(struct th *, const char *);
double	 th_balance(struct th *, const char *);

void	 tc_connect(struct tc *, int);
void	 tc_close(struct tc *);
void	 tc_send(struct tc *, struct pdu *);
int	 tc_try_send(struct tc *, struct pdu *);
void	 tc_send_raw(struct tc *, const void *, size_t);
int	 tc_recv(struct tc *, int);
int	 tc_closed(struct tc *, int);
uint32_t tc_bind(struct tc *, uint32_t, const char *, const char *);
void	 tc_bound(struct tc *, int, uint32_t, const char *, const char *);
uint32_t tc_submit(struct tc *, const char *, const char *, const char *,
	    char *);
uint32_t tc_expect(struct tc *, uint32_t, int);
uint32_t tc_submit_rd(struct tc *, const char *, const char *, const char *,
	    uint8_t, char *);
int	 tc_deliver(struct tc *, int);

struct connstate;
int	 th_conn_state(struct th *, const char *, struct connstate *);
int	 th_wait_state(struct th *, const char *,
	    int (*)(const struct connstate *, void *), void *, int);

#endif /* HARNESS_H */
