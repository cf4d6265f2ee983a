//! msgpack output in the exact forms Terraform's encoder (vmihailenco/msgpack) chooses:
//! the smallest integer, string, binary, container and extension headers.

pub(super) struct Writer {
    pub(super) out: Vec<u8>,
}

fn len32(len: usize) -> u32 {
    u32::try_from(len).expect("msgpack cannot hold more than 2^32-1 bytes or elements")
}

impl Writer {
    pub(super) fn new() -> Self {
        Self { out: Vec::new() }
    }

    pub(super) fn nil(&mut self) {
        self.out.push(0xc0);
    }

    pub(super) fn bool(&mut self, value: bool) {
        self.out.push(if value { 0xc3 } else { 0xc2 });
    }

    pub(super) fn int(&mut self, value: i64) {
        if value >= 0 {
            return self.uint(value as u64);
        }
        if value >= -32 {
            self.out.push(value as u8);
        } else if value >= i64::from(i8::MIN) {
            self.out.push(0xd0);
            self.out.push(value as u8);
        } else if value >= i64::from(i16::MIN) {
            self.out.push(0xd1);
            self.out.extend_from_slice(&(value as i16).to_be_bytes());
        } else if value >= i64::from(i32::MIN) {
            self.out.push(0xd2);
            self.out.extend_from_slice(&(value as i32).to_be_bytes());
        } else {
            self.out.push(0xd3);
            self.out.extend_from_slice(&value.to_be_bytes());
        }
    }

    pub(super) fn uint(&mut self, value: u64) {
        if value <= 0x7f {
            self.out.push(value as u8);
        } else if value <= u64::from(u8::MAX) {
            self.out.push(0xcc);
            self.out.push(value as u8);
        } else if value <= u64::from(u16::MAX) {
            self.out.push(0xcd);
            self.out.extend_from_slice(&(value as u16).to_be_bytes());
        } else if value <= u64::from(u32::MAX) {
            self.out.push(0xce);
            self.out.extend_from_slice(&(value as u32).to_be_bytes());
        } else {
            self.out.push(0xcf);
            self.out.extend_from_slice(&value.to_be_bytes());
        }
    }

    pub(super) fn f64(&mut self, value: f64) {
        self.out.push(0xcb);
        self.out.extend_from_slice(&value.to_be_bytes());
    }

    fn len_header(&mut self, len: usize, fix: Option<(u8, usize)>, markers: [u8; 3]) {
        let len = len32(len);
        match fix {
            Some((base, limit)) if (len as usize) < limit => self.out.push(base | len as u8),
            _ if len <= u32::from(u8::MAX) && markers[0] != 0 => {
                self.out.push(markers[0]);
                self.out.push(len as u8);
            }
            _ if len <= u32::from(u16::MAX) => {
                self.out.push(markers[1]);
                self.out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                self.out.push(markers[2]);
                self.out.extend_from_slice(&len.to_be_bytes());
            }
        }
    }

    pub(super) fn str(&mut self, value: &str) {
        self.len_header(value.len(), Some((0xa0, 32)), [0xd9, 0xda, 0xdb]);
        self.out.extend_from_slice(value.as_bytes());
    }

    pub(super) fn bin(&mut self, value: &[u8]) {
        self.len_header(value.len(), None, [0xc4, 0xc5, 0xc6]);
        self.out.extend_from_slice(value);
    }

    pub(super) fn array_len(&mut self, len: usize) {
        self.len_header(len, Some((0x90, 16)), [0, 0xdc, 0xdd]);
    }

    pub(super) fn map_len(&mut self, len: usize) {
        self.len_header(len, Some((0x80, 16)), [0, 0xde, 0xdf]);
    }

    pub(super) fn ext(&mut self, code: i8, data: &[u8]) {
        let fixed = match data.len() {
            1 => Some(0xd4),
            2 => Some(0xd5),
            4 => Some(0xd6),
            8 => Some(0xd7),
            16 => Some(0xd8),
            _ => None,
        };
        match fixed {
            Some(marker) => self.out.push(marker),
            None => self.len_header(data.len(), None, [0xc7, 0xc8, 0xc9]),
        }
        self.out.push(code as u8);
        self.out.extend_from_slice(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(f: impl FnOnce(&mut Writer)) -> Vec<u8> {
        let mut w = Writer::new();
        f(&mut w);
        w.out
    }

    #[test]
    fn chooses_the_smallest_forms() {
        assert_eq!(bytes(|w| w.int(5)), [0x05]);
        assert_eq!(bytes(|w| w.int(-1)), [0xff]);
        assert_eq!(bytes(|w| w.int(-33)), [0xd0, 0xdf]);
        assert_eq!(bytes(|w| w.int(200)), [0xcc, 200]);
        assert_eq!(bytes(|w| w.int(-200)), [0xd1, 0xff, 0x38]);
        assert_eq!(bytes(|w| w.int(1 << 40)), [0xcf, 0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(bytes(|w| w.str("abc")), [0xa3, b'a', b'b', b'c']);
        assert_eq!(bytes(|w| w.str(&"x".repeat(40)))[..2], [0xd9, 40]);
        assert_eq!(bytes(|w| w.bin(b"ab")), [0xc4, 2, b'a', b'b']);
        assert_eq!(bytes(|w| w.array_len(3)), [0x93]);
        assert_eq!(bytes(|w| w.array_len(16)), [0xdc, 0, 16]);
        assert_eq!(bytes(|w| w.map_len(2)), [0x82]);
        assert_eq!(bytes(|w| w.ext(0, &[0])), [0xd4, 0, 0]);
        assert_eq!(
            bytes(|w| w.ext(12, &[0x81, 1, 0xc2])),
            [0xc7, 3, 12, 0x81, 1, 0xc2]
        );
    }
}
