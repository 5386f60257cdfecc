/** A protocol and port range that a Flow allows (`Port.tcp(443)`, `Port.udpRange(10000, 20000)`). */
export type Protocol = 'tcp' | 'udp' | 'icmp';

export class Port {
  static tcp(port: number): Port {
    return new Port('tcp', port, port);
  }
  static tcpRange(from: number, to: number): Port {
    return new Port('tcp', from, to);
  }
  static udp(port: number): Port {
    return new Port('udp', port, port);
  }
  static udpRange(from: number, to: number): Port {
    return new Port('udp', from, to);
  }
  static icmp(): Port {
    return new Port('icmp', undefined, undefined);
  }

  private constructor(
    readonly protocol: Protocol,
    readonly from: number | undefined,
    readonly to: number | undefined,
  ) {
    if (protocol !== 'icmp') {
      const ok = (p: number | undefined) => p !== undefined && Number.isInteger(p) && p >= 1 && p <= 65535;
      if (!ok(from) || !ok(to) || from! > to!) throw new RangeError(`invalid ${protocol} port range ${from}-${to}: ports are 1-65535, start <= end`);
    }
  }

  /** `tcp/443`, `udp/10000-20000`, `icmp`. */
  toString(): string {
    if (this.protocol === 'icmp') return 'icmp';
    return this.from === this.to ? `${this.protocol}/${this.from}` : `${this.protocol}/${this.from}-${this.to}`;
  }

  /** True when every port this allows is also allowed by `other`. */
  within(other: Port): boolean {
    if (this.protocol !== other.protocol) return false;
    if (this.protocol === 'icmp') return true;
    return other.from! <= this.from! && this.to! <= other.to!;
  }
}
