import { describe, expect, it } from 'vitest';
import { glob, isGlob } from '../../src/input/glob.js';
import { datasetFiles } from '../../src/spec/fields.js';
import { scenario } from '../helpers.js';

describe('glob: the files a dataset path names', () => {
  const dir = scenario({
    'd/part-1.csv': '',
    'd/part-2.csv': '',
    'd/part-10.csv': '',
    'd/Part-3.csv': '',
    'd/.hidden.csv': '',
    'd/notes.txt': '',
    'd/x/part-4.csv': '',
    'd/x/y/part-5.csv': '',
    'd/.git/part-6.csv': '',
    'e/a[1].csv': '',
  });
  it.each([
    ['d/*.csv', ['d/Part-3.csv', 'd/part-1.csv', 'd/part-10.csv', 'd/part-2.csv']],
    ['d/part-?.csv', ['d/part-1.csv', 'd/part-2.csv']],
    ['d/part-[12].csv', ['d/part-1.csv', 'd/part-2.csv']],
    ['d/part-[!1].csv', ['d/part-2.csv']],
    ['d/[a-z]art-1*.csv', ['d/part-1.csv', 'd/part-10.csv']],
    ['d/**/*.csv', ['d/Part-3.csv', 'd/part-1.csv', 'd/part-10.csv', 'd/part-2.csv', 'd/x/part-4.csv', 'd/x/y/part-5.csv']],
    ['d/.*.csv', ['d/.hidden.csv']],
    ['d/*', ['d/Part-3.csv', 'd/notes.txt', 'd/part-1.csv', 'd/part-10.csv', 'd/part-2.csv']],
    ['d/*/part-4.csv', ['d/x/part-4.csv']],
    ['nowhere/*.csv', []],
    ['d/*.parquet', []],
  ])('%s (sorted by code point; dot files only by a dot; no folders)', (pattern, files) => {
    expect(glob(dir, pattern)).toEqual(files);
  });
  it('an absolute pattern gives absolute paths', () => {
    expect(glob('/', `${dir}/d/part-?.csv`)).toEqual([`${dir}/d/part-1.csv`, `${dir}/d/part-2.csv`]);
  });
  it('isGlob: *, ? and [ make a pattern', () => {
    expect(['a/*.csv', 'a?.csv', 'a[1].csv', 'a/b.csv'].map(isGlob)).toEqual([true, true, true, false]);
  });
  it("a dataset path that is a file's name is that file, even with a glob character; a list is taken as it is", () => {
    expect(datasetFiles(dir, 'e/a[1].csv')).toEqual(['e/a[1].csv']);
    expect(datasetFiles(dir, 'd/part-[12].csv')).toEqual(['d/part-1.csv', 'd/part-2.csv']);
    expect(datasetFiles(dir, ['d/part-2.csv', 'd/part-1.csv'])).toEqual(['d/part-2.csv', 'd/part-1.csv']);
  });
});
