package codec

// G.711 mu-law and A-law, as used by telephony providers (8 kHz, one byte
// per sample) and inside WAV files (format tags 7 and 6).

var muLawTable, aLawTable [256]float32

func init() {
	for i := range 256 {
		muLawTable[i] = float32(muLawDecode(byte(i))) / 32768
		aLawTable[i] = float32(aLawDecode(byte(i))) / 32768
	}
}

// muLawDecode expands one mu-law byte to a 16-bit linear sample.
func muLawDecode(b byte) int16 {
	u := ^b
	t := (int(u&0x0F) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// aLawDecode expands one A-law byte to a 16-bit linear sample.
func aLawDecode(b byte) int16 {
	a := b ^ 0x55
	t := int(a&0x0F) << 4
	seg := int(a&0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// muLawEncode compresses a 16-bit linear sample to mu-law.
func muLawEncode(s int16) byte {
	const bias, clip = 0x84, 32635
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > clip {
		v = clip
	}
	v += bias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

// aLawEncode compresses a 16-bit linear sample to A-law.
func aLawEncode(s int16) byte {
	v := int(s) >> 3 // A-law works on 13 bits
	mask := 0xD5
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	seg := 0
	for limit := 0x1F; v > limit && seg < 8; limit = limit<<1 | 1 {
		seg++
	}
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	out := seg << 4
	if seg < 2 {
		out |= (v >> 1) & 0x0F
	} else {
		out |= (v >> seg) & 0x0F
	}
	return byte(out ^ mask)
}
