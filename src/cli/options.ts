import { RivuletError } from '../common/errors.ts';

/** A commander argument parser for a TCP port that names the option at fault. */
export function portOption(option: string): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
      throw new RivuletError('BAD_OPTION', `${option} must be a TCP port (1-65535), got '${value}'`);
    }
    return port;
  };
}
