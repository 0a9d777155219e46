import { describe, expect, it } from 'vitest';
import { ApiError, DoqlError } from '../errors.js';
import { errorFields } from './sql-state.js';

describe('errorFields', () => {
  it.each([
    ['parse', '42601'],
    ['not_found', '42P01'],
    ['missing_param', '42P02'],
    ['validation', '22023'],
    ['network', '08006'],
    ['unknown_outcome', '40003'],
    ['cancelled', '57014'],
    ['internal', 'XX000'],
  ] as const)('maps DoqlError code %s to SQLSTATE %s', (code, sqlState) => {
    expect(errorFields(new DoqlError(code, 'boom')).sqlState).toBe(sqlState);
  });

  it('prefers the SQLSTATE an error carries', () => {
    expect(errorFields(new DoqlError('parse', 'x', { sqlState: '42703' })).sqlState).toBe('42703');
    expect(errorFields(new ApiError({ status: 404, method: 'get', path: '/v2/droplets/1' })).sqlState).toBe('08006');
  });

  it('keeps the hint, folds the message to one line and never shows a stack', () => {
    const err = new DoqlError('validation', 'bad value\n  for size', { hint: 'Use a slug.' });
    expect(errorFields(err)).toEqual({ severity: 'ERROR', sqlState: '22023', message: 'bad value for size', hint: 'Use a slug.' });
    const plain = errorFields(new TypeError('x is not a function'));
    expect(plain).toEqual({ severity: 'ERROR', sqlState: 'XX000', message: 'x is not a function' });
    expect(errorFields('weird')).toEqual({ severity: 'ERROR', sqlState: 'XX000', message: 'internal error' });
  });

  it('reports any error of a cancelled statement as 57014', () => {
    expect(errorFields(new DoqlError('network', 'fetch aborted'), true)).toMatchObject({
      sqlState: '57014',
      message: 'canceling statement due to user request',
    });
    expect(errorFields(new DOMException('aborted', 'AbortError'), true).sqlState).toBe('57014');
  });
});
