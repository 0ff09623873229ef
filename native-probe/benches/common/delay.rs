//! Delaying proxies for the benchmarks: the kernel here has no netem
//! qdisc, so latency is emulated in user space (written here: a few lines,
//! where a Toxiproxy port such as noxious would add a server and its API,
//! and has no UDP, which DNS needs).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// The one-way delay: 25 ms, a 50 ms round trip.
pub const ONE_WAY: Duration = Duration::from_millis(25);

/// Forwards bytes after `delay`, keeping order.
async fn pump(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due.into()).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 16384];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if tx.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        }
    }
}

/// A TCP proxy to `target` with [`ONE_WAY`] each way; connecting costs one
/// round trip before the first byte goes through, as on a real link.
pub async fn tcp(listener: TcpListener, target: SocketAddr) {
    loop {
        let Ok((client, _)) = listener.accept().await else { return };
        tokio::spawn(async move {
            // The SYN/SYN-ACK of the upstream leg is delayed too: one RTT before use.
            tokio::time::sleep(ONE_WAY * 2).await;
            let Ok(server) = TcpStream::connect(target).await else { return };
            // The emulated link must not add Nagle/delayed-ACK stalls of its own.
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pump(cr, sw, ONE_WAY));
            tokio::spawn(pump(sr, cw, ONE_WAY));
        });
    }
}

/// A UDP proxy to `target` with [`ONE_WAY`] each way (DNS): one upstream
/// socket per client address, so answers find their way back.
pub async fn udp(socket: UdpSocket, target: SocketAddr) {
    let socket = Arc::new(socket);
    let mut upstreams: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let Ok((n, client)) = socket.recv_from(&mut buf).await else { return };
        let up = match upstreams.get(&client) {
            Some(u) => u.clone(),
            None => {
                let Ok(u) = UdpSocket::bind("127.0.0.1:0").await else { continue };
                let u = Arc::new(u);
                upstreams.insert(client, u.clone());
                let (u2, back) = (u.clone(), socket.clone());
                tokio::spawn(async move {
                    let mut b = vec![0u8; 4096];
                    while let Ok((n, _)) = u2.recv_from(&mut b).await {
                        let data = b[..n].to_vec();
                        let back = back.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(ONE_WAY).await;
                            let _ = back.send_to(&data, client).await;
                        });
                    }
                });
                u
            }
        };
        let data = buf[..n].to_vec();
        tokio::spawn(async move {
            tokio::time::sleep(ONE_WAY).await;
            let _ = up.send_to(&data, target).await;
        });
    }
}
