//! Processes and sockets, read from `/proc`, and waiting for a condition.

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

/// Whether a process with this PID exists (and is not a zombie).
pub fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesized command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// The addresses on which process `pid` listens: TCP sockets in LISTEN state and bound UDP
/// sockets, IPv4 and IPv6, read from `/proc`.
pub fn listening_addresses(pid: u32) -> Vec<SocketAddr> {
    let inodes = socket_inodes(pid);
    let mut found = Vec::new();
    for (file, v6, listen_state) in [
        ("/proc/net/tcp", false, "0A"),
        ("/proc/net/tcp6", true, "0A"),
        ("/proc/net/udp", false, "07"),
        ("/proc/net/udp6", true, "07"),
    ] {
        for entry in read_socket_table(file, v6) {
            if entry.state == listen_state && inodes.contains(&entry.inode) {
                found.push(entry.local);
            }
        }
    }
    found
}

/// Whether anything on this machine listens on TCP `port` (any address).
pub fn tcp_port_listening(port: u16) -> bool {
    [("/proc/net/tcp", false), ("/proc/net/tcp6", true)]
        .into_iter()
        .flat_map(|(file, v6)| read_socket_table(file, v6))
        .any(|entry| entry.state == "0A" && entry.local.port() == port)
}

fn socket_inodes(pid: u32) -> HashSet<u64> {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return HashSet::new();
    };
    entries
        .filter_map(|entry| fs::read_link(entry.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?;
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

struct SocketEntry {
    local: SocketAddr,
    state: String,
    inode: u64,
}

fn read_socket_table(file: &str, v6: bool) -> Vec<SocketEntry> {
    let Ok(text) = fs::read_to_string(file) else {
        return Vec::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (addr, port) = fields.get(1)?.split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            let ip = parse_proc_ip(addr, v6)?;
            Some(SocketEntry {
                local: SocketAddr::new(ip, port),
                state: fields.get(3)?.to_string(),
                inode: fields.get(9)?.parse().ok()?,
            })
        })
        .collect()
}

/// `/proc/net` prints addresses as 32-bit words in host (little-endian) order.
fn parse_proc_ip(hex: &str, v6: bool) -> Option<IpAddr> {
    let word = |i: usize| u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok();
    if v6 {
        let mut bytes = [0u8; 16];
        for i in 0..4 {
            bytes[i * 4..i * 4 + 4].copy_from_slice(&word(i)?.to_le_bytes());
        }
        Some(IpAddr::V6(Ipv6Addr::from(bytes)))
    } else {
        Some(IpAddr::V4(Ipv4Addr::from(word(0)?.to_le_bytes())))
    }
}

/// Polls `check` every 200 ms until it returns true or `timeout` passes; returns whether it
/// became true.
pub fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_addresses() {
        assert_eq!(
            parse_proc_ip("0100007F", false),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(
            parse_proc_ip("00000000000000000000000001000000", true),
            Some(IpAddr::V6(Ipv6Addr::LOCALHOST))
        );
    }
}
