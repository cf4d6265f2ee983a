//! A cursor over msgpack bytes that yields one item (scalar or container header) at a time.

/// One msgpack item. Arrays and maps yield only their header; their elements follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Item<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    F32(f32),
    F64(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext(i8, &'a [u8]),
}

impl Item<'_> {
    /// How the item is named in "found ..." error messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Item::Nil => "msgpack nil".into(),
            Item::Bool(b) => format!("msgpack bool {b}"),
            Item::Int(i) => format!("msgpack int {i}"),
            Item::UInt(u) => format!("msgpack uint {u}"),
            Item::F32(f) => format!("msgpack float32 {f}"),
            Item::F64(f) => format!("msgpack float64 {f}"),
            Item::Str(s) => format!("msgpack str of {} bytes", s.len()),
            Item::Bin(b) => format!("msgpack bin of {} bytes", b.len()),
            Item::Array(n) => format!("msgpack array of {n} elements"),
            Item::Map(n) => format!("msgpack map of {n} entries"),
            Item::Ext(code, _) => format!("msgpack extension {code}"),
        }
    }
}

/// Why the reader could not produce an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ReadError {
    /// The input ended inside an item.
    Truncated,
    /// The byte 0xc1, which msgpack reserves and never uses.
    ReservedMarker,
}

/// A position in msgpack input.
pub(super) struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Self { input, pos: 0 }
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        if self.remaining() < n {
            return Err(ReadError::Truncated);
        }
        let bytes = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        Ok(self.take(N)?.try_into().expect("take returned N bytes"))
    }

    fn u8(&mut self) -> Result<u8, ReadError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<usize, ReadError> {
        Ok(u16::from_be_bytes(self.array()?).into())
    }

    fn u32(&mut self) -> Result<usize, ReadError> {
        Ok(u32::from_be_bytes(self.array()?) as usize)
    }

    fn ext(&mut self, len: usize) -> Result<Item<'a>, ReadError> {
        let code = self.u8()? as i8;
        Ok(Item::Ext(code, self.take(len)?))
    }

    /// Reads the next item.
    pub(super) fn next(&mut self) -> Result<Item<'a>, ReadError> {
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7f => Item::Int(i64::from(marker)),
            0x80..=0x8f => Item::Map(usize::from(marker & 0x0f)),
            0x90..=0x9f => Item::Array(usize::from(marker & 0x0f)),
            0xa0..=0xbf => Item::Str(self.take(usize::from(marker & 0x1f))?),
            0xc0 => Item::Nil,
            0xc1 => return Err(ReadError::ReservedMarker),
            0xc2 => Item::Bool(false),
            0xc3 => Item::Bool(true),
            0xc4 => {
                let n = self.u8()?.into();
                Item::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.u16()?;
                Item::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.u32()?;
                Item::Bin(self.take(n)?)
            }
            0xc7 => {
                let n = self.u8()?.into();
                self.ext(n)?
            }
            0xc8 => {
                let n = self.u16()?;
                self.ext(n)?
            }
            0xc9 => {
                let n = self.u32()?;
                self.ext(n)?
            }
            0xca => Item::F32(f32::from_be_bytes(self.array()?)),
            0xcb => Item::F64(f64::from_be_bytes(self.array()?)),
            0xcc => Item::UInt(self.u8()?.into()),
            0xcd => Item::UInt(u16::from_be_bytes(self.array()?).into()),
            0xce => Item::UInt(u32::from_be_bytes(self.array()?).into()),
            0xcf => Item::UInt(u64::from_be_bytes(self.array()?)),
            0xd0 => Item::Int(i8::from_be_bytes(self.array()?).into()),
            0xd1 => Item::Int(i16::from_be_bytes(self.array()?).into()),
            0xd2 => Item::Int(i32::from_be_bytes(self.array()?).into()),
            0xd3 => Item::Int(i64::from_be_bytes(self.array()?)),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = self.u8()?.into();
                Item::Str(self.take(n)?)
            }
            0xda => {
                let n = self.u16()?;
                Item::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.u32()?;
                Item::Str(self.take(n)?)
            }
            0xdc => Item::Array(self.u16()?),
            0xdd => Item::Array(self.u32()?),
            0xde => Item::Map(self.u16()?),
            0xdf => Item::Map(self.u32()?),
            0xe0..=0xff => Item::Int(i64::from(marker as i8)),
        })
    }

    /// Skips one complete value (a container with everything in it), refusing values with
    /// more than `max_containers` arrays and maps in them.
    pub(super) fn skip(&mut self, max_containers: usize) -> Result<(), ReadError> {
        let mut pending: usize = 1;
        let mut containers = 0;
        while pending > 0 {
            pending -= 1;
            match self.next()? {
                Item::Array(n) => pending = pending.saturating_add(n),
                Item::Map(n) => pending = pending.saturating_add(n.saturating_mul(2)),
                _ => continue,
            }
            containers += 1;
            // Every pending item needs at least one more byte.
            if containers > max_containers || pending > self.remaining() {
                return Err(ReadError::Truncated);
            }
        }
        Ok(())
    }
}
