package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BrownTextTest {

    @Test
    void dropsTagsAndReattachesPunctuation() {
        String tagged = "\n\n\tThe/at jury/nn said/vbd ``/`` it's/pps+bez fine/jj ''/'' ,/, (/( 1-1/2/cd )/) ./.\n\n\n"
                + "\tHe/pps asked/vbd `/` why/wrb '/' ?/.\n";
        assertEquals("The jury said \"it's fine\", (1-1/2).\nHe asked 'why'?\n", BrownText.untag(tagged));
    }
}
