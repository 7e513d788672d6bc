/*
 * identity: who is acting, as every shift-log event records it: the Unix
 * user, the host, and the SSH client address when the operator came in
 * over SSH.
 */
#ifndef MCR_IDENTITY_H
#define MCR_IDENTITY_H

struct identity {
	char user[64];
	char host[256];
	char ssh_client[64];	/* "" when not over SSH */
};

/* Fills id from the effective uid, gethostname() and SSH_CONNECTION. */
void identity_get(struct identity *id);

#endif
