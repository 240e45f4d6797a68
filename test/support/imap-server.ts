import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './ports.ts';

/*
 * A real IMAP server for the intake tests: Debian's dovecot (installed by scripts/setup.mjs),
 * started with its own configuration in a temporary folder, listening on a free loopback port,
 * with plain-text login (loopback only) and one mailbox per user in Maildir format.
 */

const DOVECOT = '/usr/sbin/dovecot';

/** A running dovecot. */
export interface ImapServer {
  host: string;
  port: number;
  /**
   * The password of every user: any user name logs in with it and gets a mailbox of its own.
   * One password for all, because dovecot reads a passwd-file at most once a second and would
   * refuse a user added just after another's login.
   */
  password: string;
  /** An imapflow client logged in as the user, for putting mails in and looking at folders. */
  client(user: string, password: string): Promise<ImapFlow>;
  stop(): Promise<void>;
}

function uidOf(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitForPort(port: number, process: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (process.exitCode !== null) throw new Error(`dovecot stopped: ${await readFile(log, 'utf8').catch(() => '')}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dovecot did not listen on ${port}: ${await readFile(log, 'utf8').catch(() => '')}`);
}

/** Starts dovecot on a free loopback port. */
export async function startImapServer(): Promise<ImapServer> {
  const dir = await mkdtemp(join(tmpdir(), 'raadssvar-imap-'));
  // dovecot's own processes run as its users and must reach the configuration and the mail.
  await chmod(dir, 0o755);
  const mailUser = uidOf('dovecot');
  const homes = join(dir, 'home');
  await mkdir(homes);
  await chown(homes, mailUser.uid, mailUser.gid);
  const password = `imap-${randomBytes(9).toString('base64url')}`;
  const port = await freePort();
  const log = join(dir, 'dovecot.log');
  const config = join(dir, 'dovecot.conf');
  await writeFile(
    config,
    [
      `base_dir = ${join(dir, 'run')}`,
      `state_dir = ${join(dir, 'state')}`,
      `log_path = ${log}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `first_valid_uid = ${mailUser.uid}`,
      `mail_location = maildir:~/Maildir`,
      `passdb {\n  driver = static\n  args = password=${password}\n}`,
      `userdb {\n  driver = static\n  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${homes}/%u\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      'service anvil {\n  chroot =\n}',
      'service imap-login {\n  chroot =\n}',
      '',
    ].join('\n'),
  );
  const child = spawn(DOVECOT, ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(port, child, log);
  const server: ImapServer = {
    host: '127.0.0.1',
    port,
    password,
    async client(user, password) {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
      client.on('error', () => {});
      await client.connect();
      return client;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
